// The leadsync CLI: `npm run leadsync -- <command>` (tsx) / `node apps/cli/dist/cli.js <command>`
// (compiled). The compile cache goes on before the app's modules load (see @leadsync/config/compile-cache).
import { enableCompileCache } from '@leadsync/config/compile-cache';

enableCompileCache(import.meta.url);
const { main } = await import('./main.js');
process.exit(await main());
