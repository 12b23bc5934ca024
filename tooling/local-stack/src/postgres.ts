import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import pg from 'pg';
import { SQL_DIR, withDatabase } from './settings.js';

export class StackUnavailableError extends Error {
  override name = 'StackUnavailableError';
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new StackUnavailableError(
      `Postgres is not reachable at ${redactUrl(url)} (${(err as Error).message}). ` +
        'Install and start it (Debian: apt-get install postgresql && pg_ctlcluster 15 main start), ' +
        'or run `docker compose up -d postgres`, or set DATABASE_URL.',
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Supabase's roles; cluster-wide, so once per Postgres server. */
export async function ensureRoles(adminUrl: string): Promise<void> {
  const sql = await readFile(resolve(SQL_DIR, 'roles.sql'), 'utf8');
  await withClient(adminUrl, async (c) => {
    // Roles are cluster-wide and CREATE ROLE races between parallel callers; serialise them.
    await c.query('select pg_advisory_lock(74201)');
    try {
      await c.query(sql);
    } finally {
      await c.query('select pg_advisory_unlock(74201)');
    }
  });
}

export async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  return withClient(adminUrl, async (c) => {
    const { rowCount } = await c.query('select 1 from pg_database where datname = $1', [name]);
    return rowCount === 1;
  });
}

/** Creates the database (optionally as a copy of a template) with the Supabase grants. */
export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  await withClient(adminUrl, async (c) => {
    await c.query(`create database ${quoteIdent(name)}${template ? ` template ${quoteIdent(template)}` : ''}`);
  });
  if (!template) {
    const sql = await readFile(resolve(SQL_DIR, 'database.sql'), 'utf8');
    await withClient(withDatabase(adminUrl, name), (c) => c.query(sql));
  }
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<boolean> {
  if (await databaseExists(adminUrl, name)) return false;
  await createDatabase(adminUrl, name);
  return true;
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (c) => c.query(`drop database if exists ${quoteIdent(name)} with (force)`));
}
