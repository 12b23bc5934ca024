import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { waitFor } from './ports.js';
import { StackUnavailableError } from './postgres.js';

/**
 * One question to the Redis at `url` over a short-lived connection that never retries; `fallback`
 * when nothing answers there (or the question fails).
 */
async function askOnce<T>(url: string, ask: (client: Redis) => Promise<T>, fallback: T): Promise<T> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return await ask(client);
  } catch {
    return fallback;
  } finally {
    client.disconnect();
  }
}

export async function redisAnswers(url: string): Promise<boolean> {
  return askOnce(url, async (client) => (await client.ping()) === 'PONG', false);
}

/**
 * The pid of the Redis server at `url` when it runs on this machine (its INFO names a process
 * this machine has), else null: a benchmark counts its CPU beside the processes it started.
 */
export async function localRedisPid(url: string): Promise<number | null> {
  return askOnce(
    url,
    async (client) => {
      const pid = Number(/^process_id:(\d+)/m.exec(await client.info('server'))?.[1]);
      return pid > 0 && existsSync(`/proc/${pid}/stat`) ? pid : null;
    },
    null,
  );
}

/** Redis glob characters in a prefix are meant literally (a label may hold any of them). */
const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

/**
 * Deletes every key under `prefix` (the keys `prefix:…`, as BullMQ, the rate limiter and the
 * token store name theirs) and no other. SCAN walks the keyspace in steps where KEYS would block
 * a Redis that other test files and engineers share; UNLINK frees the values off Redis's main thread.
 */
export async function deleteKeysUnder(redis: Redis, prefix: string, batch = 500): Promise<number> {
  let deleted = 0;
  for await (const keys of redis.scanStream({ match: `${escapeGlob(prefix)}:*`, count: batch })) {
    if ((keys as string[]).length > 0) deleted += await redis.unlink(...(keys as string[]));
  }
  return deleted;
}

/** deleteKeysUnder over a connection of its own, for a caller that has none (a teardown). */
export async function clearRedisPrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 2000 });
  try {
    return await deleteKeysUnder(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

export function redisServerOnPath(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface RedisProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts a throw-away redis-server (nothing persisted). Used when none answers at REDIS_URL, and
 * by fault tests that need a Redis of their own to stop.
 */
export async function startRedisServer(
  port: number,
  options: {
    detached?: boolean;
    /** Working directory (where a cluster node keeps its nodes.conf); default: the caller's. */
    dir?: string;
    /** More redis-server arguments, e.g. cluster mode. */
    args?: string[];
  } = {},
): Promise<RedisProcess> {
  if (!redisServerOnPath()) {
    throw new StackUnavailableError(
      `No Redis answers on port ${port} and redis-server is not on the PATH. ` +
        'Install it (Debian: apt-get install redis-server), run `docker compose up -d redis`, or set REDIS_URL.',
    );
  }
  const child = spawn(
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      ...(options.dir ? ['--dir', options.dir] : []),
      ...(options.args ?? []),
    ],
    { stdio: 'ignore', detached: options.detached ?? false, cwd: options.dir },
  );
  if (options.detached) child.unref();
  const url = `redis://127.0.0.1:${port}`;
  await waitFor(() => redisAnswers(url), `redis-server on port ${port}`);
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
