/** The refresh lock against a real Redis, under its own key prefix (deleted at the end). */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createRefreshLock } from './lock.js';

const PREFIX = `test:zoho-client:lock:${randomUUID()}:`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });

afterAll(async () => {
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('refresh lock', () => {
  it('has one holder at a time, and only the holder releases it', async () => {
    const lock = createRefreshLock(redis, `${PREFIX}${randomUUID()}`, 10_000);
    expect(await lock.isHeld()).toBe(false);
    expect(await lock.tryAcquire('a')).toBe(true);
    expect(await lock.tryAcquire('b')).toBe(false);
    await lock.release('b');
    expect(await lock.isHeld()).toBe(true);
    await lock.release('a');
    expect(await lock.isHeld()).toBe(false);
    expect(await lock.tryAcquire('b')).toBe(true);
  });

  it('expires: a holder that dies without releasing it blocks others only for its TTL', async () => {
    const key = `${PREFIX}${randomUUID()}`;
    const lock = createRefreshLock(redis, key, 10_000);
    expect(await lock.tryAcquire('dead')).toBe(true);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
  });
});
