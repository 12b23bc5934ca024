// `npm run build` (root) runs this after tsc: writes dist/embed.js (classic) and dist/embed.mjs
// (module), prints their sizes, and fails when one is over the gzip budget. The compiled API serves
// these files; under tsx it builds the same bundles in memory instead (src/bundle.ts loadEmbed).
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildEmbed, EMBED_DIST, GZIP_BUDGET_BYTES, overBudget } from './src/bundle.js';

const dist = EMBED_DIST;
const bundle = await buildEmbed();
mkdirSync(dist, { recursive: true });
for (const file of [bundle.classic, bundle.module]) {
  writeFileSync(resolve(dist, file.path.slice(1)), file.code);
  console.log(`${file.path.padEnd(11)} ${file.bytes} bytes, ${file.gzipBytes} gzipped (budget ${GZIP_BUDGET_BYTES})`);
}
const over = overBudget(bundle);
if (over.length > 0) {
  console.error(`over the ${GZIP_BUDGET_BYTES}-byte gzip budget: ${over.map((f) => f.path).join(', ')}`);
  process.exit(1);
}
