// The schema's migration runner, part of the product: the image's migration command
// (migrate-cli.ts) and the local stack apply supabase/migrations with it.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { z } from 'zod';

/** supabase/migrations at the repository (or image) root, from src/ and dist/ alike. */
export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../supabase/migrations');

/** What the migration command reads. */
export const migrateEnvSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// connection string' }),
  MIGRATIONS_DIR: z.string().min(1).default(MIGRATIONS_DIR),
});

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Applies supabase/migrations/*.sql in name order, each once, recording them where the Supabase
 * CLI does (supabase_migrations.schema_migrations), so `supabase db push` and this agree on
 * what is applied.
 */
export async function migrate(databaseUrl: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  return withClient(databaseUrl, async (c) => {
    await c.query('create schema if not exists supabase_migrations');
    await c.query(
      'create table if not exists supabase_migrations.schema_migrations (version text primary key, statements text[], name text)',
    );
    // One migrator at a time per database.
    await c.query('select pg_advisory_lock(74202)');
    try {
      const { rows } = await c.query<{ version: string }>('select version from supabase_migrations.schema_migrations');
      const applied = new Set(rows.map((r) => r.version));
      const done: string[] = [];
      for (const file of files) {
        const [version, ...rest] = file.replace(/\.sql$/, '').split('_');
        if (!version || applied.has(version)) continue;
        const sql = await readFile(resolve(dir, file), 'utf8');
        await c.query('begin');
        try {
          await c.query(sql);
          await c.query(
            'insert into supabase_migrations.schema_migrations (version, statements, name) values ($1, $2, $3)',
            [version, [sql], rest.join('_')],
          );
          await c.query('commit');
        } catch (err) {
          await c.query('rollback');
          throw new Error(`migration ${file} failed: ${(err as Error).message}`);
        }
        done.push(file);
      }
      // PostgREST caches the schema; tell it to look again (no-op when none listens).
      await c.query(`notify pgrst, 'reload schema'`);
      return done;
    } finally {
      await c.query('select pg_advisory_unlock(74202)');
    }
  });
}
