import type { ConnectionOptions } from 'bullmq';

export interface QueueConnectionConfig {
  redisUrl: string;
  /** Key prefix for every BullMQ key (one per deployment or test file; `{…}` for Redis Cluster). */
  prefix: string;
}

/**
 * Connection options from a redis:// or rediss:// URL. BullMQ makes its own ioredis clients from
 * them (and closes them), which avoids sharing one client between blocking and normal commands.
 */
export function connectionOptions(redisUrl: string, overrides: Record<string, unknown> = {}): ConnectionOptions {
  const u = new URL(redisUrl);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    ...overrides,
  };
}

/**
 * For processes that must not wait out a Redis outage (the API): commands fail at once instead of
 * queueing while Redis is down, so a request learns it in milliseconds and carries on.
 */
export function failFastConnectionOptions(redisUrl: string): ConnectionOptions {
  return connectionOptions(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
}
