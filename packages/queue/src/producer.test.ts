import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { DEFAULTS, freePort, startRedisServer, waitFor } from '@leadsync/local-stack';
import { type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { connectionOptions } from './connection.js';
import { QUEUES } from './jobs.js';
import { createSyncProducer } from './producer.js';

const prefix = () => `test:producer:${randomUUID().slice(0, 8)}`;

describe('the sync nudge', () => {
  it('turns a burst of stored leads into one delayed job', async () => {
    const producer = createSyncProducer({
      redisUrl: process.env.REDIS_URL ?? DEFAULTS.redisUrl,
      prefix: prefix(),
      batchWindowMs: 60_000,
    });
    try {
      const ids = await Promise.all(Array.from({ length: 20 }, () => producer.enqueueSync(randomUUID())));
      ids.push(await producer.enqueueSync(randomUUID()));
      expect(new Set(ids).size).toBe(1);
      expect(await producer.queue.getJobCounts('delayed', 'wait')).toEqual({ delayed: 1, wait: 0 });
    } finally {
      await producer.queue.obliterate({ force: true });
      await producer.close();
    }
  });

  it('answers the later leads of a window from memory, without a Redis round trip', async () => {
    // a Redis of its own, so no other test's commands are counted
    const own = await startRedisServer(await freePort());
    const producer = createSyncProducer({ redisUrl: own.url, prefix: prefix(), batchWindowMs: 60_000 });
    const observer = new Redis(own.url);
    const commandsSoFar = async () => Number(/total_commands_processed:(\d+)/.exec(await observer.info('stats'))?.[1]);
    try {
      const first = await producer.enqueueSync(randomUUID());
      const before = await commandsSoFar();
      for (let i = 0; i < 10; i++) expect(await producer.enqueueSync(randomUUID())).toBe(first);
      // the only command since is the observer's own INFO
      expect((await commandsSoFar()) - before).toBe(1);
    } finally {
      observer.disconnect();
      await producer.close();
      await own.stop();
    }
  });

  it('does not let a failed nudge stand for the leads after it', async () => {
    const port = await freePort();
    let own = await startRedisServer(port);
    const producer = createSyncProducer({ redisUrl: own.url, prefix: prefix(), batchWindowMs: 60_000 });
    try {
      await producer.queue.waitUntilReady();
      await own.stop();
      await expect(producer.enqueueSync(randomUUID())).rejects.toThrow();
      own = await startRedisServer(port);
      // within the same window: a cached failure would keep rejecting for a minute
      await waitFor(
        async () => typeof (await producer.enqueueSync(randomUUID())) === 'string',
        'a nudge after Redis is back',
      );
      expect(await producer.queue.getJobCounts('delayed')).toEqual({ delayed: 1 });
    } finally {
      await producer.close().catch(() => {});
      await own.stop();
    }
  });

  it("never lets a window job that already started swallow another replica's nudge", async () => {
    const redisUrl = process.env.REDIS_URL ?? DEFAULTS.redisUrl;
    const shared = prefix();
    // two API replicas: separate producers, separate connections
    const a = createSyncProducer({ redisUrl, prefix: shared, batchWindowMs: 60_000 });
    const b = createSyncProducer({ redisUrl, prefix: shared, batchWindowMs: 60_000 });
    const started: string[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const worker = new Worker(
      QUEUES.sync,
      async (job: Job) => {
        started.push(job.id as string);
        if (started.length === 1) await held; // the first window job is busy (claimed, in Zoho)
        return {};
      },
      { connection: connectionOptions(redisUrl, { maxRetriesPerRequest: null }), prefix: shared },
    );
    try {
      const first = await a.enqueueSync(randomUUID());
      // a worker whose clock runs ahead of this replica's starts the window job early
      await (await a.queue.getJob(first!))!.promote();
      await waitFor(async () => started.length === 1, 'the window job active');
      // replica B stores a lead now: the running job claimed before it, so another must follow
      await b.enqueueSync(randomUUID());
      await b.enqueueSync(randomUUID());
      release();
      await waitFor(async () => (await a.queue.getJobCounts('delayed')).delayed === 1, 'a next window job');
      const [next] = await a.queue.getJobs(['delayed']);
      expect(next?.id).not.toBe(first);
      // …and exactly one: the second lead of B joined it
      expect(await a.queue.getJobCounts('delayed', 'wait', 'active')).toEqual({ delayed: 1, wait: 0, active: 0 });
    } finally {
      release();
      await worker.close();
      await a.queue.obliterate({ force: true });
      await Promise.all([a.close(), b.close()]);
    }
  });
});
