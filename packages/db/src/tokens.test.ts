/**
 * The token row against the real database, driven by the real token manager: an operator
 * re-connecting Zoho while another process's refresh is in flight.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type IsolatedStack, startIsolatedStack, withClient } from '@leadsync/local-stack';
import { createTokenManager, ReAuthorizeError, type TokenGrant, type TokenManager } from '@leadsync/zoho-client';
import { Redis } from 'ioredis';
import { createDb, type Db } from './index.js';

const ACCOUNTS = 'https://accounts.zoho.com';
const API_DOMAIN = 'https://www.zohoapis.com';

let stack: IsolatedStack;
let db: Db;
let redis: Redis;

beforeAll(async () => {
  stack = await startIsolatedStack('db-tokens');
  db = createDb({ url: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey });
  redis = new Redis(stack.redisUrl);
});
afterAll(async () => {
  await redis.quit();
  await stack.teardown();
});

const grant = (accessToken: string, refreshToken: string | null = null): TokenGrant => ({
  accessToken,
  refreshToken,
  apiDomain: API_DOMAIN,
  expiresInMs: 3_600_000,
  scope: null,
  accountsServer: ACCOUNTS,
});

/**
 * Managers ("processes") sharing the database; Zoho's answer to refreshing the old grant comes only
 * after the operator stored the new one.
 */
async function reconnectDuringRefresh(zohoAnswer: () => TokenGrant) {
  await withClient(stack.databaseUrl, (c) => c.query('delete from zoho_tokens'));
  const encryptionKey = randomBytes(32);
  const refreshedWith: string[] = [];
  const make = (): TokenManager =>
    createTokenManager({
      store: db.tokens,
      oauth: {
        async refreshAccessToken({ refreshToken }) {
          refreshedWith.push(refreshToken);
          if (refreshToken !== '1000.old') return grant(`1000.access-of-${refreshToken}`);
          await operator.saveGrant(grant('1000.access-new', '1000.new'));
          return zohoAnswer();
        },
      },
      redis,
      encryptionKey,
      keyPrefix: `${stack.redisPrefix}:zoho:${randomBytes(4).toString('hex')}:`,
    });
  const operator = make();
  const worker = make();
  await worker.seedRefreshToken({ refreshToken: '1000.old', accountsServer: ACCOUNTS, apiDomain: API_DOMAIN });
  return { worker, make, refreshedWith };
}

describe('zoho_tokens: a refresh writes only onto the grant it refreshed', () => {
  it("keeps the operator's new grant and hands out its token, not the stale refresh's", async () => {
    const { worker, make, refreshedWith } = await reconnectDuringRefresh(() => grant('1000.access-old'));
    // the stale write was discarded and the manager re-read the store
    expect(await worker.getValidAccessToken()).toBe('1000.access-new');
    expect(await make().getValidAccessToken()).toBe('1000.access-new');
    // the stored grant is the new one: refreshing now uses its refresh token
    await make().forceRefresh();
    expect(refreshedWith).toEqual(['1000.old', '1000.new']);
  });

  it("does not mark the new grant with the stale grant's failure (no reseed over it later)", async () => {
    const { worker, make } = await reconnectDuringRefresh(() => {
      throw new ReAuthorizeError('invalid_code', 'the old refresh token was revoked');
    });
    await expect(worker.getValidAccessToken()).rejects.toBeInstanceOf(ReAuthorizeError);
    const status = await make().status();
    expect(status).toMatchObject({ refreshFailing: false, needsReauthorization: false, lastRefreshError: null });
    const seeded = await make().seedRefreshToken({
      refreshToken: '1000.old',
      accountsServer: ACCOUNTS,
      apiDomain: API_DOMAIN,
    });
    expect(seeded).toBe(false);
    expect(await make().getValidAccessToken()).toBe('1000.access-new');
  });
});
