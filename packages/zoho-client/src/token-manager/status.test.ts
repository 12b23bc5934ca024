import { describe, expect, it } from '@jest/globals';
import type { StoredTokens } from '../token-store.js';
import { DEFAULT_REFRESH_LIMIT } from './budget.js';
import { tokenStatus } from './status.js';

const stored = (overrides: Partial<StoredTokens> = {}): StoredTokens => ({
  accessTokenCiphertext: 'v1:access',
  refreshTokenCiphertext: 'v1:refresh',
  accessTokenExpiresAt: new Date('2026-03-01T13:00:00Z'),
  accessTokenIssuedAt: new Date('2026-03-01T12:00:00Z'),
  apiDomain: 'https://www.zohoapis.eu',
  accountsServer: 'https://accounts.zoho.eu',
  lastRefreshAt: new Date('2026-03-01T12:00:00Z'),
  lastRefreshErrorCode: null,
  lastRefreshErrorMessage: null,
  lastRefreshErrorAt: null,
  ...overrides,
});
const idle = { refreshesInWindow: 0, throttledUntil: null };

describe('tokenStatus', () => {
  it('shows a healthy connection without any token', () => {
    const status = tokenStatus(stored(), { refreshesInWindow: 3, throttledUntil: null }, DEFAULT_REFRESH_LIMIT);
    expect(status).toEqual({
      connected: true,
      accessTokenExpiresAt: new Date('2026-03-01T13:00:00Z'),
      apiDomain: 'https://www.zohoapis.eu',
      accountsServer: 'https://accounts.zoho.eu',
      lastRefreshAt: new Date('2026-03-01T12:00:00Z'),
      lastRefreshError: null,
      refreshFailing: false,
      needsReauthorization: false,
      refreshesInWindow: 3,
      refreshLimit: DEFAULT_REFRESH_LIMIT,
      throttledUntil: null,
    });
    expect(JSON.stringify(status)).not.toContain('v1:');
  });

  it('reports a revoked refresh token as failing and needing a person', () => {
    const until = new Date('2026-03-01T12:10:00Z');
    const status = tokenStatus(
      stored({
        lastRefreshErrorCode: 'invalid_code',
        lastRefreshErrorMessage: null,
        lastRefreshErrorAt: new Date('2026-03-01T12:05:00Z'),
      }),
      { refreshesInWindow: 9, throttledUntil: until },
      DEFAULT_REFRESH_LIMIT,
    );
    expect(status).toMatchObject({
      lastRefreshError: { code: 'invalid_code', message: '', at: new Date('2026-03-01T12:05:00Z') },
      refreshFailing: true,
      needsReauthorization: true,
      throttledUntil: until,
    });
  });

  it('reports another failure as failing, but not as needing a person', () => {
    const status = tokenStatus(
      stored({
        lastRefreshErrorCode: 'HTTP_502',
        lastRefreshErrorMessage: 'bad gateway',
        lastRefreshErrorAt: new Date('2026-03-01T12:05:00Z'),
      }),
      idle,
      DEFAULT_REFRESH_LIMIT,
    );
    expect(status).toMatchObject({ refreshFailing: true, needsReauthorization: false });
  });

  it('shows an empty store as not connected', () => {
    expect(tokenStatus(null, idle, DEFAULT_REFRESH_LIMIT)).toMatchObject({
      connected: false,
      lastRefreshError: null,
      refreshFailing: false,
      needsReauthorization: false,
    });
  });

  it('hands out a copy of the limit, not the configured object', () => {
    const limit = { max: 2, windowMs: 60_000 };
    const status = tokenStatus(null, idle, limit);
    status.refreshLimit.max = 100;
    expect(limit.max).toBe(2);
  });
});
