import { describe, expect, it } from '@jest/globals';
import type { LeadStats } from '@leadsync/db';
import type { TokenStatus } from '@leadsync/zoho-client';
import { statusLines } from './status.js';

const leads: LeadStats = {
  total: 3,
  by_status: { pending: 1, syncing: 0, synced: 1, failed: 1, spam: 0 },
  by_source: {},
  last_24h: 2,
  success_rate: 0.5,
  oldest_pending_at: null,
};

const live = (over: Partial<TokenStatus> = {}): TokenStatus => ({
  connected: true,
  accessTokenExpiresAt: null,
  apiDomain: null,
  accountsServer: null,
  lastRefreshAt: null,
  lastRefreshError: null,
  refreshFailing: false,
  needsReauthorization: false,
  refreshesInWindow: 3,
  refreshLimit: { max: 10, windowMs: 600_000 },
  throttledUntil: null,
  ...over,
});

describe('status', () => {
  it('says how to connect when nothing is stored, and that no client is configured', () => {
    expect(statusLines({ exists: false }, null, leads)).toEqual([
      'Zoho: not connected (run auth-url or exchange-code)',
      'Zoho: no client configured (ZOHO_CLIENT_ID / ZOHO_CLIENT_SECRET)',
      'Leads: 3 (pending 1, syncing 0, synced 1, failed 1, spam 0); last 24 h 2; success rate 50 %',
    ]);
  });

  it('shows the stored connection with its last refresh error, and the refresh budget', () => {
    const lines = statusLines(
      {
        exists: true,
        accounts_server: 'https://accounts.zoho.eu',
        expires_at: '2026-01-01T01:00:00Z',
        last_refresh_at: null,
        last_refresh_error_code: 'invalid_code',
        last_refresh_error_at: '2026-01-01T00:10:00Z',
      },
      live({ refreshFailing: true }),
      { ...leads, success_rate: null },
    );
    expect(lines).toEqual([
      'Zoho: connected via https://accounts.zoho.eu; access token expires 2026-01-01T01:00:00Z; last refresh never; last refresh error invalid_code at 2026-01-01T00:10:00Z',
      'Zoho: token refresh is failing (see the error above)',
      'Zoho: 3/10 refreshes used in the current 10-minute window',
      expect.stringMatching(/success rate n\/a$/),
    ]);
  });

  it('asks for a new consent, not a fix, when the refresh token is revoked', () => {
    const lines = statusLines({ exists: true }, live({ needsReauthorization: true, refreshFailing: true }), leads);
    expect(lines[1]).toBe('Zoho: the refresh token is revoked: authorise again (auth-url)');
    expect(lines).not.toContain('Zoho: token refresh is failing (see the error above)');
  });
});
