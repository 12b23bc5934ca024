import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const HERE = dirname(fileURLToPath(import.meta.url));
// From src/ (tsx, jest) and from dist/ (compiled) alike: esbuild always reads the TypeScript sources.
const PACKAGE_ROOT = resolve(HERE, '..');
const BROWSER_SRC = resolve(PACKAGE_ROOT, 'src/browser');
/** Where `npm run build` writes the bundles the compiled API serves. */
export const EMBED_DIST = resolve(PACKAGE_ROOT, 'dist');
/** This module runs compiled (dist/bundle.js, production) rather than from its sources (tsx, jest). */
const COMPILED = basename(HERE) === 'dist';

/** The target: the embed must stay under 5 KB gzipped, whichever build a site loads. */
export const GZIP_BUDGET_BYTES = 5 * 1024;

export interface EmbedFile {
  /** The path the API serves it at. */
  path: '/embed.js' | '/embed.mjs';
  code: string;
  etag: string;
  bytes: number;
  gzipBytes: number;
}

export interface EmbedBundle {
  classic: EmbedFile;
  module: EmbedFile;
}

function describe(path: EmbedFile['path'], code: string): EmbedFile {
  return {
    path,
    code,
    etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 22)}"`,
    bytes: Buffer.byteLength(code),
    gzipBytes: gzipSync(code, { level: 9 }).length,
  };
}

async function bundle(entry: string, format: 'iife' | 'esm'): Promise<string> {
  // Imported when needed: production serves the prebuilt files and installs no esbuild.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [resolve(BROWSER_SRC, entry)],
    bundle: true,
    minify: true,
    format,
    globalName: format === 'iife' ? 'leadsync' : undefined,
    // the browsers that have fetch keepalive and AbortController anyway; no polyfills
    target: 'es2022',
    platform: 'browser',
    write: false,
    legalComments: 'none',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced nothing for ${entry}`);
  return file.text;
}

/**
 * Builds both embeds in memory (esbuild takes tens of milliseconds), so the API serves what the
 * sources say without a separate build step, and a clean clone works with npm start.
 */
export async function buildEmbed(): Promise<EmbedBundle> {
  const [classic, module] = await Promise.all([bundle('embed-classic.ts', 'iife'), bundle('embed-module.ts', 'esm')]);
  return { classic: describe('/embed.js', classic), module: describe('/embed.mjs', module) };
}

/**
 * The bundles the API serves: compiled (production) it reads the files `npm run build` wrote into
 * dist/, so a start builds nothing and needs no esbuild; from the sources (development, tests) it
 * builds them in memory, so an edit is served on the next start without a build step.
 */
export async function loadEmbed(options: { prebuilt?: boolean } = {}): Promise<EmbedBundle> {
  if (!(options.prebuilt ?? COMPILED)) return buildEmbed();
  const read = (path: EmbedFile['path']) =>
    readFile(resolve(EMBED_DIST, path.slice(1)), 'utf8').then(
      (code) => describe(path, code),
      (err: NodeJS.ErrnoException) => {
        throw new Error(`${path} is not built (${err.code ?? err.message}): run npm run build`);
      },
    );
  const [classic, module] = await Promise.all([read('/embed.js'), read('/embed.mjs')]);
  return { classic, module };
}

/** The files over budget, empty when both fit. */
export function overBudget(bundle: EmbedBundle, budget = GZIP_BUDGET_BYTES): EmbedFile[] {
  return [bundle.classic, bundle.module].filter((f) => f.gzipBytes > budget);
}

/** The demo page and its script (packages/web/demo), served by the API at /demo. */
export function readDemo(): { html: string; script: string } {
  return {
    html: readFileSync(resolve(PACKAGE_ROOT, 'demo/index.html'), 'utf8'),
    script: readFileSync(resolve(PACKAGE_ROOT, 'demo/demo.js'), 'utf8'),
  };
}
