import { spawn, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { waitFor } from './ports.js';
import { StackUnavailableError } from './postgres.js';

export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
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
export async function startRedisServer(port: number, options: { detached?: boolean } = {}): Promise<RedisProcess> {
  if (!redisServerOnPath()) {
    throw new StackUnavailableError(
      `No Redis answers on port ${port} and redis-server is not on the PATH. ` +
        'Install it (Debian: apt-get install redis-server), run `docker compose up -d redis`, or set REDIS_URL.',
    );
  }
  const child = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore', detached: options.detached ?? false },
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
