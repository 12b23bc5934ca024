import { describe, expect, it } from '@jest/globals';
import type { TokenGrant } from '../oauth.js';
import type { StoredTokens } from '../token-store.js';
import { grantedTokens, maySeed, seededTokens } from './seed.js';

const connection = seededTokens({
  refreshTokenCiphertext: 'v1:refresh',
  accountsServer: 'https://accounts.zoho.com',
  apiDomain: 'https://www.zohoapis.com',
});
const failedWith = (code: string, lastRefreshAt: Date | null): StoredTokens => ({
  ...connection,
  lastRefreshAt,
  lastRefreshErrorCode: code,
  lastRefreshErrorMessage: 'refused',
  lastRefreshErrorAt: new Date('2026-03-01T12:00:00Z'),
});

describe('maySeed', () => {
  it('seeds an empty store', () => {
    expect(maySeed(null, false)).toBe(true);
  });

  it('never replaces a working connection, nor one failing for another reason', () => {
    expect(maySeed(connection, false)).toBe(false);
    expect(maySeed(failedWith('HTTP_502', null), false)).toBe(false);
  });

  it('replaces a refresh token Zoho declared invalid, unless it is the same token again', () => {
    expect(maySeed(failedWith('invalid_code', null), false)).toBe(true);
    expect(maySeed(failedWith('invalid_code', new Date('2026-03-01T11:00:00Z')), false)).toBe(true);
    expect(maySeed(failedWith('invalid_code', null), true)).toBe(false);
  });

  it('does not replace a token that refreshed after its invalid_code (it works again)', () => {
    expect(maySeed(failedWith('invalid_code', new Date('2026-03-01T13:00:00Z')), false)).toBe(false);
  });
});

describe('the rows a connection starts from', () => {
  it('a seeded refresh token has no access token and no history', () => {
    expect(connection).toMatchObject({
      accessTokenCiphertext: null,
      accessTokenExpiresAt: null,
      accessTokenIssuedAt: null,
      lastRefreshAt: null,
      lastRefreshErrorCode: null,
      lastRefreshErrorAt: null,
    });
  });

  it("a code exchange's token counts as issued now, in the grant's API domain or the default", () => {
    const grant: TokenGrant = {
      accessToken: '1000.a',
      refreshToken: '1000.r',
      apiDomain: null,
      expiresInMs: 3_600_000,
      scope: null,
      accountsServer: 'https://accounts.zoho.eu',
    };
    const at = new Date('2026-03-01T12:00:00Z');
    const sealed = { accessTokenCiphertext: 'v1:a', refreshTokenCiphertext: 'v1:r' };
    expect(grantedTokens(grant, sealed, at, 'https://www.zohoapis.eu')).toEqual({
      ...sealed,
      accessTokenExpiresAt: new Date('2026-03-01T13:00:00Z'),
      accessTokenIssuedAt: at,
      apiDomain: 'https://www.zohoapis.eu',
      accountsServer: 'https://accounts.zoho.eu',
      lastRefreshAt: at,
      lastRefreshErrorCode: null,
      lastRefreshErrorMessage: null,
      lastRefreshErrorAt: null,
    });
    expect(grantedTokens({ ...grant, apiDomain: 'https://www.zohoapis.in' }, sealed, at, 'x').apiDomain).toBe(
      'https://www.zohoapis.in',
    );
  });
});
