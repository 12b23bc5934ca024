import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { DEFAULTS, freePort, startRedisServer, waitFor } from '@leadsync/local-stack';
import { Redis } from 'ioredis';
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
});
