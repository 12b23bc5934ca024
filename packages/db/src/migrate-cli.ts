// `npm run db:migrate:prod` / the image's `node packages/db/dist/migrate-cli.js`: applies
// supabase/migrations to DATABASE_URL (the database's direct or session-pooler connection string;
// a transaction pooler cannot hold the advisory lock that keeps two migrators apart).
import { ConfigError, parseEnv } from '@leadsync/config';
import { migrate, migrateEnvSchema } from './migrate.js';

try {
  const env = parseEnv(migrateEnvSchema);
  const applied = await migrate(env.DATABASE_URL, env.MIGRATIONS_DIR);
  console.error(applied.length ? `applied ${applied.join(', ')}` : 'migrations up to date');
} catch (err) {
  console.error(`leadsync migrate: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
  process.exit(1);
}
