import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type RedisClusterProcess, startRedisCluster } from '@leadsync/local-stack';
import { type Job, Queue, QueueEvents, Worker } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import {
  clusterOptions,
  createRedisClient,
  createRedisConnections,
  type RedisSettings,
  serverOptions,
} from './connection.js';
import { createJobResults } from './job-results.js';

describe('connection options', () => {
  it('one server: host, port, credentials, database and TLS from the URL, then the caller’s options', () => {
    expect(serverOptions('rediss://user:p%40ss@redis.example:6380/2', { commandTimeout: 500 })).toEqual({
      host: 'redis.example',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      db: 2,
      tls: {},
      commandTimeout: 500,
    });
    expect(serverOptions('redis://127.0.0.1')).toMatchObject({ host: '127.0.0.1', port: 6379, tls: undefined });
  });

  it('cluster: credentials and per-command settings for every node, the offline queue and reconnecting for the cluster', () => {
    const retry = (n: number) => n * 100;
    const options = clusterOptions('redis://:secret@ignored:1', {
      maxRetriesPerRequest: 1,
      commandTimeout: 500,
      enableOfflineQueue: false,
      lazyConnect: true,
      retryStrategy: retry,
    });
    expect(options).toEqual({
      enableOfflineQueue: false,
      lazyConnect: true,
      clusterRetryStrategy: retry,
      redisOptions: {
        username: undefined,
        password: 'secret',
        tls: undefined,
        maxRetriesPerRequest: 1,
        commandTimeout: 500,
      },
    });
    // TLS: connect to the names the nodes announce (their certificates name those), not re-resolved IPs
    const tls = clusterOptions('rediss://default:pw@node-1.cache.example:6379');
    expect(tls.redisOptions).toMatchObject({ tls: {}, username: 'default', password: 'pw' });
    expect(typeof tls.dnsLookup).toBe('function');
  });

  it('makes a plain Redis without cluster nodes and a Cluster with them', () => {
    const one = createRedisClient({ REDIS_URL: 'redis://127.0.0.1:1' }, { lazyConnect: true });
    const many = createRedisClient(
      { REDIS_URL: 'redis://127.0.0.1:1', REDIS_CLUSTER_NODES: [{ host: '127.0.0.1', port: 1 }] },
      { lazyConnect: true },
    );
    expect(one).toBeInstanceOf(Redis);
    expect(many).toBeInstanceOf(Cluster);
    one.disconnect();
    many.disconnect();
  });

  it('hands BullMQ plain options on one server (BullMQ owns those connections)', () => {
    const redis = createRedisConnections({ REDIS_URL: 'redis://127.0.0.1:6390' });
    expect(redis.cluster).toBe(false);
    expect(redis.bullmq('worker')).toMatchObject({ host: '127.0.0.1', port: 6390, maxRetriesPerRequest: null });
    expect(redis.bullmq('fail-fast')).toMatchObject({ enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  });
});

describe('on a Redis Cluster of its own', () => {
  let cluster: RedisClusterProcess;
  let settings: RedisSettings;
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    settings = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: cluster.nodes };
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('runs a job through Queue, Worker and QueueEvents under a hash-tag prefix, and close() quits every connection', async () => {
    const redis = createRedisConnections(settings);
    const prefix = `{test-conn-${randomUUID().slice(0, 8)}}`;
    const queue = new Queue('q', { connection: redis.bullmq('worker'), prefix });
    // from the stream's start: a fresh QueueEvents reading from '$' can miss a job that finishes
    // before its first read is set up (what job-results guards against by looking at the job)
    const events = new QueueEvents('q', { connection: redis.bullmq('worker'), prefix, lastEventId: '0-0' });
    const worker = new Worker('q', async (job: Job) => ({ doubled: job.data.n * 2 }), {
      connection: redis.bullmq('worker'),
      prefix,
    });
    const own = redis.client({ maxRetriesPerRequest: 1 });
    try {
      // BullMQ's global concurrency lives in the queue's meta key, in the prefix's slot
      await queue.setGlobalConcurrency(2);
      expect(await queue.getGlobalConcurrency()).toBe(2);
      await events.waitUntilReady();
      const job = await queue.add('double', { n: 21 });
      expect(await job.waitUntilFinished(events, 20_000)).toEqual({ doubled: 42 });
      // our own keys under the prefix share its slot: a multi-key command is allowed
      await own.set(`${prefix}:a`, '1');
      await own.set(`${prefix}:b`, '2');
      expect(await own.mget(`${prefix}:a`, `${prefix}:b`)).toEqual(['1', '2']);
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      await redis.close();
    }
    // a cluster's quit answers before its last node connection has ended
    expect(['disconnecting', 'end']).toContain(own.status);
  }, 60_000);

  it('waits hear a job that finishes the moment they begin, each from a fresh waiter (the CLI, a first ?wait=true)', async () => {
    const redis = createRedisConnections(settings);
    const prefix = `{test-wait-${randomUUID().slice(0, 8)}}`;
    const queue = new Queue('q', { connection: redis.bullmq('worker'), prefix });
    // jobs of 0 to 33 ms: some finish while a fresh waiter is still connecting
    const worker = new Worker(
      'q',
      async (job: Job) => {
        await new Promise((r) => setTimeout(r, job.data.ms));
        return { synced: 1 };
      },
      { connection: redis.bullmq('worker'), prefix },
    );
    const states: string[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        const results = createJobResults({ ...settings, REDIS_PREFIX: prefix });
        const job = await queue.add('x', { ms: i * 3 });
        states.push((await results.wait(queue, job.id!, 3000)).state);
        await results.close();
      }
    } finally {
      await worker.close();
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      await redis.close();
    }
    // a wait that missed the job's completion answers "running" once its time is up
    expect(states.filter((s) => s !== 'completed')).toEqual([]);
  }, 90_000);

  it('without a hash tag BullMQ cannot add a job (why the configuration refuses such a prefix)', async () => {
    const redis = createRedisConnections(settings);
    const queue = new Queue('q', { connection: redis.bullmq('fail-fast'), prefix: `test-conn-${randomUUID()}` });
    queue.on('error', () => {});
    try {
      await expect(queue.add('x', {})).rejects.toThrow(/CROSSSLOT/);
    } finally {
      await queue.close();
      await redis.close();
    }
  }, 30_000);
});
