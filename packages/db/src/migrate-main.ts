import { ConfigError, parseEnv } from '@leadsync/config';
import { migrate, migrateEnvSchema } from './migrate.js';

/** Applies supabase/migrations to DATABASE_URL; migrate-cli.ts (the entry point) runs it once the compile cache is on. */
export async function main(): Promise<void> {
  try {
    const env = parseEnv(migrateEnvSchema);
    const applied = await migrate(env.DATABASE_URL, env.MIGRATIONS_DIR);
    console.error(applied.length ? `applied ${applied.join(', ')}` : 'migrations up to date');
  } catch (err) {
    console.error(`leadsync migrate: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
    process.exit(1);
  }
}
