import type { ConnectionOptions } from 'bullmq';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

/**
 * The one home of Redis connections. Every process builds its BullMQ connections and its own
 * ioredis clients (token lock and refresh budget, outage breaker, rate limit, metrics, alerts,
 * the CLI) here, from REDIS_URL and, on Redis Cluster, REDIS_CLUSTER_NODES. docs/deploying.md
 * ("Running on Redis Cluster") says what to set and why the prefix needs a hash tag.
 */

/** One startup node of a Redis Cluster (packages/config parses REDIS_CLUSTER_NODES into these). */
export interface RedisNode {
  host: string;
  port: number;
}

/** Where Redis is, named as the environment names it so an app passes its validated config as it is. */
export interface RedisSettings {
  /** One Redis server; with REDIS_CLUSTER_NODES, only its username, password and TLS are used. */
  REDIS_URL: string;
  /** Startup nodes of a Redis Cluster; empty or absent: REDIS_URL is one server. */
  REDIS_CLUSTER_NODES?: readonly RedisNode[] | undefined;
}

/** A plain client for our own keys: one server's or the cluster's (both speak the same commands). */
export type RedisClient = Redis | Cluster;

export interface QueueConnectionConfig {
  redisUrl: string;
  /** Key prefix for every BullMQ key (one per deployment or test file; `{…}` for Redis Cluster). */
  prefix: string;
  /** REDIS_CLUSTER_NODES; absent or empty for one Redis server. */
  clusterNodes?: readonly RedisNode[] | undefined;
}

/** The settings of a QueueConnectionConfig (the producer's shape) in the environment's names. */
export const queueRedisSettings = (c: QueueConnectionConfig): RedisSettings => ({
  REDIS_URL: c.redisUrl,
  REDIS_CLUSTER_NODES: c.clusterNodes,
});

export const isCluster = (settings: RedisSettings): boolean => (settings.REDIS_CLUSTER_NODES?.length ?? 0) > 0;

/** What a caller may tune of a connection; the same meaning on one server and on a cluster. */
export interface ClientOptions {
  maxRetriesPerRequest?: number | null;
  commandTimeout?: number;
  connectTimeout?: number;
  enableOfflineQueue?: boolean;
  lazyConnect?: boolean;
  retryStrategy?: (attempt: number) => number | null;
}

/** Username, password, database and TLS from a redis:// or rediss:// URL. */
function urlOptions(redisUrl: string) {
  const u = new URL(redisUrl);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

/** ioredis options for one server. Pure: unit-tested beside this file. */
export function serverOptions(redisUrl: string, options: ClientOptions = {}): RedisOptions {
  return { ...urlOptions(redisUrl), ...options };
}

/**
 * ioredis Cluster options. What concerns the cluster as a whole (offline queue, reconnecting,
 * lazy connect) is set at the top; what each node connection needs (credentials, TLS, timeouts,
 * retries per command) goes in redisOptions, where ioredis passes it to every node. Pure.
 */
export function clusterOptions(redisUrl: string, options: ClientOptions = {}): ClusterOptions {
  const { host: _host, port: _port, db: _db, ...auth } = urlOptions(redisUrl);
  const { enableOfflineQueue, lazyConnect, retryStrategy, ...perNode } = options;
  return {
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    ...(retryStrategy === undefined ? {} : { clusterRetryStrategy: retryStrategy }),
    // managed clusters over TLS announce node addresses their certificates name: connect to those names
    ...(auth.tls
      ? { dnsLookup: (address: string, done: (err: null, address: string) => void) => done(null, address) }
      : {}),
    redisOptions: { ...auth, ...perNode },
  };
}

/** A plain ioredis client; the caller quits it. */
export function createRedisClient(settings: RedisSettings, options: ClientOptions = {}): RedisClient {
  if (isCluster(settings)) {
    return new Cluster(
      settings.REDIS_CLUSTER_NODES!.map((n) => ({ host: n.host, port: n.port })),
      clusterOptions(settings.REDIS_URL, options),
    );
  }
  return new Redis(serverOptions(settings.REDIS_URL, options));
}

/**
 * What a BullMQ Queue, Worker, QueueEvents or FlowProducer needs.
 * - `worker`: Workers and QueueEvents (blocking commands need maxRetriesPerRequest null), and
 *   queues of processes that wait out a Redis outage.
 * - `fail-fast`: queues of processes that must not wait out an outage (the API): commands fail at
 *   once instead of queueing while Redis is down, so a request learns it in milliseconds.
 */
export type BullmqRole = 'worker' | 'fail-fast';

const ROLE_OPTIONS: Record<BullmqRole, ClientOptions> = {
  worker: { maxRetriesPerRequest: null },
  'fail-fast': { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 },
};

/**
 * The Redis connections of one process (or of one component that closes on its own).
 *
 * On one server BullMQ gets plain options and makes, and closes, its own connections. On a
 * cluster it must get an ioredis Cluster instance: Workers and QueueEvents duplicate it (and close
 * their duplicates), but a Queue uses it as it is and never closes it. So each instance handed
 * out is lazy (it connects only when BullMQ first uses it) and close() quits them all, after the
 * BullMQ objects are closed.
 */
export interface RedisConnections {
  readonly settings: RedisSettings;
  readonly cluster: boolean;
  bullmq(role?: BullmqRole): ConnectionOptions;
  /** A plain client, quit by close() (quitting it earlier yourself is fine too). */
  client(options?: ClientOptions): RedisClient;
  /** Quits what it handed out; `force`: disconnects at once instead (a Redis that is down never answers QUIT). */
  close(force?: boolean): Promise<void>;
}

export function createRedisConnections(settings: RedisSettings): RedisConnections {
  const owned = new Set<RedisClient>();
  const cluster = isCluster(settings);
  const own = <C extends RedisClient>(c: C): C => {
    owned.add(c);
    return c;
  };
  return {
    settings,
    cluster,
    bullmq(role = 'worker') {
      const options = ROLE_OPTIONS[role];
      if (!cluster) return connectionOptions(settings.REDIS_URL, { ...options });
      const instance = own(createRedisClient(settings, { ...options, lazyConnect: true }));
      // BullMQ listens on the copies it makes and on queues; this one must not crash the process
      instance.on('error', () => {});
      return instance;
    },
    client(options = {}) {
      return own(createRedisClient(settings, options));
    },
    async close(force = false) {
      const all = [...owned];
      owned.clear();
      await Promise.all(
        all.map(async (c) => {
          if (c.status === 'end') return;
          if (force) c.disconnect();
          else await c.quit().catch(() => c.disconnect());
        }),
      );
    },
  };
}

/**
 * BullMQ connection options for one Redis server from a URL. Tests and benchmarks that talk to
 * the shared standalone Redis use it; processes use createRedisConnections.
 */
export function connectionOptions(redisUrl: string, overrides: Record<string, unknown> = {}): ConnectionOptions {
  return { ...urlOptions(redisUrl), ...overrides };
}
