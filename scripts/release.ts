// `tsx scripts/release.ts <folder>`: after `npm run build`, copies what production runs into
// <folder> — the compiled JavaScript of every app and package, the built embed bundles, the files
// they read at run time and the manifests `npm ci --omit=dev` installs from. The Dockerfile's
// runtime stage is this folder plus that install; tests/release runs the same two steps.
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The product's workspaces. tooling/ (the simulator, the local stack) stays out entirely, so
 * nothing in production can import it; npm ci installs the lockfile without those workspaces.
 */
const PRODUCT = ['apps', 'packages'];
/** Files read at run time besides the JavaScript: the demo page and the schema migrations. */
const ASSETS = ['packages/web/demo', 'supabase/migrations'];

/** Declarations, source maps (without the sources beside them) and build caches stay behind. */
const wanted = (path: string) => !/(\.d\.ts|\.map|\.tsbuildinfo)$/.test(path);

export function copyRelease(dest: string): void {
  mkdirSync(dest, { recursive: true });
  const copy = (rel: string) => cpSync(join(ROOT, rel), join(dest, rel), { recursive: true, filter: wanted });
  copy('package.json');
  copy('package-lock.json');
  for (const parent of PRODUCT) {
    for (const name of readdirSync(join(ROOT, parent))) {
      const workspace = join(parent, name);
      if (!existsSync(join(ROOT, workspace, 'package.json'))) continue;
      copy(join(workspace, 'package.json'));
      if (!existsSync(join(ROOT, workspace, 'dist')))
        throw new Error(`${workspace}/dist is missing: run npm run build`);
      copy(join(workspace, 'dist'));
    }
  }
  for (const asset of ASSETS) copy(asset);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dest = process.argv[2];
  if (!dest) {
    console.error('usage: tsx scripts/release.ts <folder>');
    process.exit(2);
  }
  copyRelease(resolve(dest));
  console.error(`release copied to ${resolve(dest)}`);
}
