// The API process: `npm run start:api` (tsx) / `start:api:prod` and the image (compiled). The
// compile cache goes on before the app's modules load (see @leadsync/config/compile-cache).
import { enableCompileCache } from '@leadsync/config/compile-cache';

enableCompileCache(import.meta.url);
const { main } = await import('./main.js');
main();
