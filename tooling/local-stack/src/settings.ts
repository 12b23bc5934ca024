import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the repository's files are, wherever the process was started from. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Pid files, logs and npm start's dev secrets; a test of npm start points it elsewhere. */
export const STATE_DIR = process.env.LEADSYNC_STATE_DIR ?? resolve(REPO_ROOT, '.stack');
export const SQL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../sql');

/**
 * Node's arguments for running one of the repository's TypeScript entry points from source (tsx,
 * workspace packages resolved to their src): `spawn(process.execPath, tsxEntry('apps/api/src/server.ts'))`.
 */
export function tsxEntry(entry: string, ...args: string[]): string[] {
  return ['--import', 'tsx', '--conditions=@leadsync/source', resolve(REPO_ROOT, entry), ...args];
}

/** Ports follow the Supabase CLI (API on 54321) so a local Supabase and this stack are interchangeable. */
export const DEFAULTS = {
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
  databaseName: 'leadsync',
  testTemplateDatabase: 'leadsync_test_template',
  redisUrl: 'redis://127.0.0.1:6379',
  gatewayPort: 54321,
  postgrestPort: 54330,
  postgrestAdminPort: 54331,
  authenticatorPassword: 'postgres',
} as const;

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function asAuthenticator(url: string, password: string = DEFAULTS.authenticatorPassword): string {
  const u = new URL(url);
  u.username = 'authenticator';
  u.password = password;
  return u.toString();
}
