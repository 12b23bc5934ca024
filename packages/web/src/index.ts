export { buildEmbed, type EmbedBundle, type EmbedFile, GZIP_BUDGET_BYTES, overBudget, readDemo } from './bundle.js';
