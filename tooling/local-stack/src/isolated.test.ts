import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { startIsolatedStack } from './isolated.js';
import { deleteKeysUnder } from './redis.js';
import { DEFAULTS } from './settings.js';

const redis = new Redis(process.env.REDIS_URL ?? DEFAULTS.redisUrl, { maxRetriesPerRequest: 1 });
const run = `test:local-stack:${randomUUID().slice(0, 8)}`;
afterAll(async () => {
  await deleteKeysUnder(redis, run);
  await redis.quit();
});

async function fill(keys: string[]): Promise<void> {
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.set(key, '1');
  await pipeline.exec();
}

describe('IsolatedStack.teardown', () => {
  it('deletes every Redis key under its prefix, over several SCAN batches, and no other', async () => {
    const stack = await startIsolatedStack('local-stack-teardown');
    // more keys than one SCAN/UNLINK batch, in the shapes BullMQ and the token store use
    const own = Array.from({ length: 1200 }, (_, i) => `${stack.redisPrefix}:sync:${i}`);
    own.push(`${stack.redisPrefix}:zoho:token`);
    // a prefix that merely starts the same, the prefix itself, and another run's keys
    const others = [`${stack.redisPrefix}0:sync:1`, stack.redisPrefix, `${run}:other:key`];
    await fill([...own, ...others]);

    await stack.teardown();

    expect(await redis.exists(...own)).toBe(0);
    expect(await redis.exists(...others)).toBe(others.length);
    await redis.unlink(...others);
  });
});

describe('deleteKeysUnder', () => {
  it('reads glob characters in the prefix literally', async () => {
    const globbed = `${run}:[ab]*`;
    const mine = [`${globbed}:1`, `${globbed}:2`];
    const near = [`${run}:a:1`, `${run}:b*:1`, `${run}:[ab]x:1`];
    await fill([...mine, ...near]);

    expect(await deleteKeysUnder(redis, globbed)).toBe(2);
    expect(await redis.exists(...mine)).toBe(0);
    expect(await redis.exists(...near)).toBe(near.length);
  });
});
