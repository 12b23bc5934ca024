/**
 * Token-manager corners that need a scripted accounts server: what counts against the refresh
 * budget, a lock holder that died, seeding. Real Redis, own key prefix, keys deleted at the end.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { ReAuthorizeError, RetryLaterError, WaitUntilError } from '../errors.js';
import { transportError } from '../http.js';
import type { OAuthClient, TokenGrant } from '../oauth.js';
import { InMemoryTokenStore } from '../token-store.js';
import { createTokenManager, type TokenManagerConfig } from './index.js';
import type { RedisLike } from './redis.js';

const PREFIX = `test:zoho-client:${randomUUID()}:`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const key = randomBytes(32);
const ACCOUNTS = 'https://accounts.zoho.com';

afterAll(async () => {
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

type Refresh = OAuthClient['refreshAccessToken'];

function grant(n: number): TokenGrant {
  return {
    accessToken: `1000.access-${n}`,
    refreshToken: null,
    apiDomain: 'https://www.zohoapis.com',
    expiresInMs: 3_600_000,
    scope: null,
    accountsServer: ACCOUNTS,
  };
}

async function setup(refresh: Refresh, overrides: Partial<TokenManagerConfig> = {}) {
  const store = new InMemoryTokenStore();
  const keyPrefix = `${PREFIX}${randomUUID()}:`;
  const make = () =>
    createTokenManager({
      store,
      oauth: { refreshAccessToken: refresh },
      redis,
      encryptionKey: key,
      keyPrefix,
      pollIntervalMs: 10,
      ...overrides,
    });
  const tm = make();
  await tm.seedRefreshToken({
    refreshToken: '1000.refresh',
    accountsServer: ACCOUNTS,
    apiDomain: 'https://www.zohoapis.com',
  });
  return { store, tm, make, keyPrefix };
}

describe('refresh budget', () => {
  it('gives back attempts that never left (connection refused) but counts timeouts', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    let calls = 0;
    const { tm } = await setup(
      async () => {
        calls += 1;
        throw transportError(refused, 'Zoho token endpoint');
      },
      { transientFailureHoldMs: 1 },
    );
    for (let i = 0; i < 12; i += 1) {
      await expect(tm.getValidAccessToken()).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
      await new Promise((r) => setTimeout(r, 3));
    }
    expect(calls).toBe(12);
    expect((await tm.status()).refreshesInWindow).toBe(0);

    const timeout = await setup(
      async () => {
        throw new RetryLaterError('TIMEOUT', 'no answer', { details: { notSent: false } });
      },
      { transientFailureHoldMs: 1 },
    );
    await expect(timeout.tm.getValidAccessToken()).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect((await timeout.tm.status()).refreshesInWindow).toBe(1);
  });

  it('replays a transient failure to concurrent callers instead of repeating it', async () => {
    let calls = 0;
    const { make } = await setup(async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 50));
      throw new RetryLaterError('HTTP_502', 'bad gateway');
    });
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => make().getValidAccessToken()));
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof RetryLaterError)).toBe(true);
    expect(calls).toBe(1);
  });

  it('honours a smaller configured limit', async () => {
    let n = 0;
    const { tm } = await setup(async () => grant(++n), { refreshLimit: { max: 2, windowMs: 60_000 } });
    await tm.forceRefresh();
    await tm.forceRefresh();
    await expect(tm.forceRefresh()).rejects.toBeInstanceOf(WaitUntilError);
    expect(n).toBe(2);
  });
});

describe('locking', () => {
  it('takes over when the lock holder died (its lock expires) and refreshes once', async () => {
    let calls = 0;
    const { tm, keyPrefix } = await setup(async () => grant(++calls), { lockTtlMs: 5_000 });
    // A "process" that took the lock and crashed: the lock outlives it only by its TTL.
    await redis.set(`${keyPrefix}refresh:lock`, 'dead-process', 'PX', 150);
    await expect(tm.getValidAccessToken()).resolves.toBe('1000.access-1');
    expect(calls).toBe(1);
  });

  it('gives up waiting with RetryLaterError when the lock is never released', async () => {
    let calls = 0;
    const { tm, keyPrefix } = await setup(async () => grant(++calls), { waitTimeoutMs: 100 });
    await redis.set(`${keyPrefix}refresh:lock`, 'stuck', 'PX', 10_000);
    await expect(tm.getValidAccessToken()).rejects.toMatchObject({ code: 'TOKEN_REFRESH_WAIT_TIMEOUT' });
    expect(calls).toBe(0);
  });

  it('invalidate() makes the next call refresh once, even with many callers', async () => {
    let calls = 0;
    const { tm } = await setup(async () => grant(++calls));
    const first = await tm.getValidAccessToken();
    tm.invalidate(first);
    tm.invalidate(first);
    const next = await Promise.all([tm.getValidAccessToken(), tm.getValidAccessToken(), tm.getValidAccessToken()]);
    expect(new Set(next)).toEqual(new Set(['1000.access-2']));
    expect(calls).toBe(2);
  });

  it('refreshes ahead of expiry when asked for a longer remaining validity', async () => {
    let t = Date.now();
    let calls = 0;
    const { tm } = await setup(async () => grant(++calls), { now: () => t });
    await tm.getValidAccessToken();
    t += 40 * 60_000;
    await tm.getValidAccessToken({ minRemainingMs: 15 * 60_000 });
    expect(calls).toBe(1);
    t += 6 * 60_000;
    await tm.getValidAccessToken();
    expect(calls).toBe(1);
    await tm.getValidAccessToken({ minRemainingMs: 15 * 60_000 });
    expect(calls).toBe(2);
  });
});

describe('short token lifetimes', () => {
  it('uses a token issued for less than the safety margin for three quarters of its life', async () => {
    let t = Date.now();
    let calls = 0;
    // default safety margin (5 minutes) against a 20-second token
    const { tm, make } = await setup(async () => ({ ...grant(++calls), expiresInMs: 20_000 }), { now: () => t });
    expect(await tm.getValidAccessToken()).toBe('1000.access-1');
    t += 14_000;
    expect(await tm.getValidAccessToken()).toBe('1000.access-1');
    // the scheduled job's refresh-ahead time is capped the same way; another process reads the
    // issued lifetime from the store
    expect(await tm.getValidAccessToken({ minRemainingMs: 15 * 60_000 })).toBe('1000.access-1');
    expect(await make().getValidAccessToken()).toBe('1000.access-1');
    expect(calls).toBe(1);
    t += 2_000;
    expect(await tm.getValidAccessToken()).toBe('1000.access-2');
    expect(calls).toBe(2);
  });
});

describe('seeding and status', () => {
  it('seeds only an empty store, or over a refresh token Zoho declared invalid', async () => {
    const { tm, store } = await setup(async () => {
      throw new ReAuthorizeError('invalid_code', 'revoked');
    });
    const seed = { accountsServer: ACCOUNTS, apiDomain: 'https://www.zohoapis.com' };
    expect(await tm.seedRefreshToken({ ...seed, refreshToken: '1000.refresh' })).toBe(false);
    expect(await tm.seedRefreshToken({ ...seed, refreshToken: '1000.newer' })).toBe(false);
    await expect(tm.getValidAccessToken()).rejects.toBeInstanceOf(ReAuthorizeError);
    expect((await tm.status()).needsReauthorization).toBe(true);
    expect(await tm.seedRefreshToken({ ...seed, refreshToken: '1000.newer' })).toBe(true);
    expect((await store.load())?.lastRefreshErrorCode).toBeNull();
  });

  it('reports a store without tokens as not connected', async () => {
    const tm = createTokenManager({
      store: new InMemoryTokenStore(),
      oauth: { refreshAccessToken: async () => grant(1) },
      redis,
      encryptionKey: key,
      keyPrefix: `${PREFIX}${randomUUID()}:`,
    });
    expect(await tm.status()).toMatchObject({ connected: false, refreshesInWindow: 0, throttledUntil: null });
    await expect(tm.getValidAccessToken()).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it('refuses to refresh without Redis (no lock, no shared count) and says retry later', async () => {
    const down = async (): Promise<never> => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    };
    const unreachableRedis: RedisLike = { eval: down, get: down, set: down, del: down, exists: down, zrem: down };
    let calls = 0;
    const store = new InMemoryTokenStore();
    const tm = createTokenManager({
      store,
      oauth: { refreshAccessToken: async () => grant(++calls) },
      redis: unreachableRedis,
      encryptionKey: key,
    });
    await tm.seedRefreshToken({
      refreshToken: '1000.r',
      accountsServer: ACCOUNTS,
      apiDomain: 'https://www.zohoapis.com',
    });
    await expect(tm.getValidAccessToken()).rejects.toMatchObject({
      name: 'RetryLaterError',
      code: 'REDIS_UNAVAILABLE',
    });
    expect(calls).toBe(0);
  });
});
