import type { StoredTokens } from '../token-store.js';
import type { RefreshBudget, RefreshLimit } from './budget.js';
import { isRefreshFailing, needsReauthorization } from './refresh-failing.js';
import type { TokenStatus } from './types.js';

type WindowUsage = Awaited<ReturnType<RefreshBudget['usage']>>;

/** What status() shows: the stored connection (never a token) and the refresh window's usage. */
export function tokenStatus(tokens: StoredTokens | null, usage: WindowUsage, limit: RefreshLimit): TokenStatus {
  const errorAt = tokens?.lastRefreshErrorAt ?? null;
  const lastRefreshError =
    tokens && errorAt && tokens.lastRefreshErrorCode
      ? { code: tokens.lastRefreshErrorCode, message: tokens.lastRefreshErrorMessage ?? '', at: errorAt }
      : null;
  return {
    connected: tokens !== null,
    accessTokenExpiresAt: tokens?.accessTokenExpiresAt ?? null,
    apiDomain: tokens?.apiDomain ?? null,
    accountsServer: tokens?.accountsServer ?? null,
    lastRefreshAt: tokens?.lastRefreshAt ?? null,
    lastRefreshError,
    refreshFailing: tokens !== null && isRefreshFailing(tokens),
    needsReauthorization: tokens !== null && needsReauthorization(tokens),
    refreshesInWindow: usage.refreshesInWindow,
    refreshLimit: { ...limit },
    throttledUntil: usage.throttledUntil,
  };
}
