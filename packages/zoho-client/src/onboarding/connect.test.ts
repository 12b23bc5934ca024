import { describe, expect, it } from '@jest/globals';
import type { ZohoConnection } from '../connection.js';
import { ReAuthorizeError } from '../errors.js';
import type { TokenGrant } from '../oauth.js';
import { connectZoho } from './connect.js';

const EXPIRES = new Date('2026-01-01T01:00:00Z');

/** A connection that records what the use case asked of it, in order. */
function fakeConnection(options: { exchange?: (accountsServer: string) => Promise<TokenGrant> } = {}) {
  const calls: string[] = [];
  const zoho = {
    oauth: {
      resolveAccountsServer: (named: string | null | undefined) => named ?? 'https://accounts.zoho.com',
      exchangeCode: async ({ code, accountsServer }: { code: string; accountsServer: string }) => {
        calls.push(`exchange ${code} at ${accountsServer}`);
        if (options.exchange) return options.exchange(accountsServer);
        return { accountsServer, refreshToken: 'r', accessToken: 'a', expiresInS: 3600, apiDomain: 'x' } as never;
      },
    },
    tokens: {
      saveGrant: async (grant: TokenGrant) => {
        calls.push(`save grant of ${grant.accountsServer}`);
      },
      status: async () => ({ apiDomain: 'https://www.zohoapis.eu', accessTokenExpiresAt: EXPIRES }),
    },
  } as unknown as ZohoConnection;
  return { zoho, calls };
}

describe('connectZoho', () => {
  it('exchanges at the named accounts server, stores the grant, then nudges', async () => {
    const { zoho, calls } = fakeConnection();
    const connected = await connectZoho(zoho, { code: 'c1', accountsServer: 'https://accounts.zoho.eu' }, async () => {
      calls.push('nudge');
    });
    expect(calls).toEqual([
      'exchange c1 at https://accounts.zoho.eu',
      'save grant of https://accounts.zoho.eu',
      'nudge',
    ]);
    expect(connected).toEqual({
      accountsServer: 'https://accounts.zoho.eu',
      apiDomain: 'https://www.zohoapis.eu',
      accessTokenExpiresAt: EXPIRES,
    });
  });

  it("takes the accounts server from Zoho's data-centre table when only the location came", async () => {
    const { zoho, calls } = fakeConnection();
    await connectZoho(zoho, { code: 'c1', location: 'EU' });
    expect(calls[0]).toBe('exchange c1 at https://accounts.zoho.eu');
  });

  it('is connected even when the nudge fails (the sweep sends the leads)', async () => {
    const { zoho, calls } = fakeConnection();
    const connected = await connectZoho(zoho, { code: 'c1' }, () => Promise.reject(new Error('redis down')));
    expect(connected.accountsServer).toBe('https://accounts.zoho.com');
    expect(calls).toContain('save grant of https://accounts.zoho.com');
  });

  it('stores nothing and nudges nothing when Zoho refuses the code', async () => {
    const { zoho, calls } = fakeConnection({
      exchange: () => Promise.reject(new ReAuthorizeError('invalid_code', 'expired')),
    });
    await expect(
      connectZoho(zoho, { code: 'used' }, async () => {
        calls.push('nudge');
      }),
    ).rejects.toBeInstanceOf(ReAuthorizeError);
    expect(calls).toEqual(['exchange used at https://accounts.zoho.com']);
  });
});
