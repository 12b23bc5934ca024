export {
  buildEmbed,
  EMBED_DIST,
  type EmbedBundle,
  type EmbedFile,
  GZIP_BUDGET_BYTES,
  loadEmbed,
  overBudget,
  readDemo,
} from './bundle.js';
