/**
 * The token manager's Redis adapters against a real Redis: the refresh lock, and the refresh
 * budget (Redis's clock decides its window). Own key prefix, keys deleted at the end.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { FixConfigError } from '../errors.js';
import { createRefreshBudget, DEFAULT_REFRESH_LIMIT, refreshThrottled } from './budget.js';
import { createRefreshLock } from './lock.js';
import { redisKeys } from './redis.js';

const PREFIX = `test:zoho-client:adapters:${randomUUID()}:`;
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

const budgetOf = (max: number, windowMs = 60_000) =>
  createRefreshBudget(redis, redisKeys(`${PREFIX}${randomUUID()}:`), { max, windowMs });

describe('refresh budget', () => {
  it('grants max attempts per window, then says when the oldest one leaves it', async () => {
    const budget = budgetOf(2);
    const before = Date.now();
    expect(await budget.reserve('fp', 'one')).toEqual({ granted: true });
    expect(await budget.reserve('fp', 'two')).toEqual({ granted: true });
    const refused = await budget.reserve('fp', 'three');
    expect(refused.granted).toBe(false);
    if (refused.granted) return;
    // Redis's clock, not ours: allow for skew between this process and the server
    expect(refused.resetAt.getTime()).toBeGreaterThan(before + 60_000 - 5_000);
    expect(refused.resetAt.getTime()).toBeLessThan(Date.now() + 60_000 + 5_000);
    expect(await budget.usage('fp')).toEqual({ refreshesInWindow: 2, throttledUntil: refused.resetAt });
  });

  it('counts each refresh token on its own', async () => {
    const budget = budgetOf(1);
    expect(await budget.reserve('fp-a', 'one')).toEqual({ granted: true });
    expect(await budget.reserve('fp-b', 'one')).toEqual({ granted: true });
    expect((await budget.reserve('fp-a', 'two')).granted).toBe(false);
  });

  it('takes a given-back attempt out of the window', async () => {
    const budget = budgetOf(1);
    await budget.reserve('fp', 'never-sent');
    await budget.giveBack('fp', 'never-sent');
    expect(await budget.usage('fp')).toEqual({ refreshesInWindow: 0, throttledUntil: null });
    expect(await budget.reserve('fp', 'next')).toEqual({ granted: true });
  });

  it("refuses everyone while Zoho's own throttle is recorded, whatever is left of the window", async () => {
    const budget = budgetOf(9);
    const now = Date.now();
    await budget.blockUntil('fp', new Date(now + 30_000), now);
    const refused = await budget.reserve('fp', 'one');
    expect(refused.granted).toBe(false);
    const usage = await budget.usage('fp');
    expect(usage.refreshesInWindow).toBe(0);
    expect(usage.throttledUntil).not.toBeNull();
  });

  it('rejects a limit that allows nothing', () => {
    expect(() => budgetOf(0)).toThrow(FixConfigError);
    expect(() => budgetOf(1, 0)).toThrow(FixConfigError);
  });

  it("names our limit and Zoho's in the refusal", () => {
    const error = refreshThrottled(DEFAULT_REFRESH_LIMIT, new Date(0));
    expect(error).toMatchObject({ code: 'REFRESH_THROTTLED', action: 'wait_until', resetAt: new Date(0) });
    expect(error.message).toContain('9 refreshes in 600 s');
  });
});
