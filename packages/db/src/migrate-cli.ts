// `npm run db:migrate:prod` / the image's `node packages/db/dist/migrate-cli.js`: applies
// supabase/migrations to DATABASE_URL (the database's direct or session-pooler connection string;
// a transaction pooler cannot hold the advisory lock that keeps two migrators apart). The compile
// cache goes on before the rest loads (see @leadsync/config/compile-cache).
import { enableCompileCache } from '@leadsync/config/compile-cache';

enableCompileCache(import.meta.url);
const { main } = await import('./migrate-main.js');
await main();
