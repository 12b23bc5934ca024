import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { IsolatedStack } from './isolated.js';
import { freePort, httpOk, waitFor } from './ports.js';
import { tsxEntry } from './settings.js';

/** Whether a process with this pid is running (signal 0 only asks; it delivers nothing). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Where a Zoho (the simulator, in tests and benchmarks) answers. */
export interface ZohoEndpoints {
  accountsUrl: string;
  apiDomain: string;
}

/**
 * The environment an API or worker process needs to run against an isolated stack and, given
 * one, a Zoho simulator with its default client. Secrets are fresh for each call; `extra` comes
 * last, so a caller overrides whatever it needs (its own client, NODE_ENV, log level, timings).
 */
export function stackEnv(
  stack: Pick<IsolatedStack, 'redisUrl' | 'redisPrefix' | 'supabaseUrl' | 'serviceRoleKey'>,
  zoho: ZohoEndpoints | null,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    REDIS_URL: stack.redisUrl,
    REDIS_PREFIX: stack.redisPrefix,
    SUPABASE_URL: stack.supabaseUrl,
    SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey,
    CRON_SECRET: randomBytes(24).toString('hex'),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...(zoho
      ? {
          ZOHO_CLIENT_ID: 'sim-client-id',
          ZOHO_CLIENT_SECRET: 'sim-client-secret',
          ZOHO_ACCOUNTS_URL: zoho.accountsUrl,
          ZOHO_API_DOMAIN: zoho.apiDomain,
        }
      : {}),
    ...extra,
  };
}

/** A process running one of the repository's entry points. */
export interface Spawned {
  child: ChildProcess;
  /** Everything the process wrote so far (with `output: 'keep'`; empty otherwise). */
  output(): string;
  /** Signals it (SIGTERM unless told) and resolves once it exited; SIGKILL if it takes over 15 s. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnOptions {
  /** Arguments after the entry point. */
  args?: string[];
  /**
   * 'keep': stdout and stderr are kept for output() (a test searches them); 'stderr': stdout is
   * dropped and stderr shown (a benchmark or a harness wants only the errors).
   */
  output?: 'keep' | 'stderr';
}

/**
 * Runs a TypeScript entry point of the repository (tsxEntry) in a process of its own, with
 * exactly `env` plus PATH: nothing of the caller's environment leaks in to change its config.
 */
export function spawnEntry(entry: string, env: Record<string, string>, options: SpawnOptions = {}): Spawned {
  const stdio: StdioOptions =
    options.output === 'stderr' ? ['ignore', 'ignore', 'inherit'] : ['ignore', 'pipe', 'pipe'];
  const child = spawn(process.execPath, tsxEntry(entry, ...(options.args ?? [])), {
    env: { PATH: process.env.PATH, ...env },
    stdio,
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
  return {
    child,
    output: () => chunks.join(''),
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(force);
          done();
        });
        child.kill(signal);
      }),
  };
}

/**
 * spawnEntry for a server: resolves once `readyUrl` answers 2xx. A process that exits first
 * (bad config, a port taken) fails at once with what it printed, instead of after the whole wait.
 */
export async function spawnServing(
  entry: string,
  env: Record<string, string>,
  readyUrl: string,
  what: string,
  options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<Spawned> {
  const proc = spawnEntry(entry, env, options);
  let exited = false;
  proc.child.once('exit', () => {
    exited = true;
  });
  try {
    // waitFor reads a failing check as "not yet", so the exit ends the wait as a success and is told apart below
    await waitFor(async () => exited || (await httpOk(readyUrl)), what, options.timeoutMs ?? 60_000);
  } catch (err) {
    await proc.stop('SIGKILL');
    throw err;
  }
  if (exited) {
    const { exitCode, signalCode } = proc.child;
    throw new Error(
      `${what} exited (${signalCode ?? `code ${exitCode}`}) before ${readyUrl} answered:\n${proc.output()}`,
    );
  }
  return proc;
}

export interface SpawnedApi extends Spawned {
  url: string;
  port: number;
}

/** The API (apps/api/src/server.ts) on a port of its own (or `port`), ready once /healthz answers. */
export async function spawnApi(
  env: Record<string, string>,
  options: SpawnOptions & { port?: number; timeoutMs?: number } = {},
): Promise<SpawnedApi> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const proc = await spawnServing(
    'apps/api/src/server.ts',
    { ...env, PORT: String(port) },
    `${url}/healthz`,
    'the API process',
    options,
  );
  return { ...proc, url, port };
}

/** The worker (apps/worker/src/worker.ts); it serves nothing, so there is nothing to wait for. */
export function spawnWorkerProcess(env: Record<string, string>, options: SpawnOptions = {}): Spawned {
  return spawnEntry('apps/worker/src/worker.ts', env, options);
}
