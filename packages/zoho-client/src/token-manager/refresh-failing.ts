/**
 * "Is the token refresh failing": the one definition, used by the token manager's status and
 * seeding and by the health report (packages/operations), so the three cannot disagree.
 */

/** The refresh history of a stored connection (the token store's fields of the same names). */
export interface RefreshHistory {
  lastRefreshAt: Date | null;
  lastRefreshErrorCode: string | null;
  lastRefreshErrorAt: Date | null;
}

/**
 * Zoho's answer to refreshing with a revoked or unknown refresh token; the grant is dead and only a
 * person authorising again helps.
 */
export const REVOKED_REFRESH_TOKEN_CODE = 'invalid_code';

/**
 * The most recent refresh attempt failed: an error is recorded and it is not older than the last
 * success (a failure and a success in the same millisecond count as failing, the safe side).
 */
export function isRefreshFailing(history: RefreshHistory): boolean {
  const { lastRefreshAt, lastRefreshErrorAt } = history;
  if (!history.lastRefreshErrorCode || lastRefreshErrorAt === null) return false;
  return lastRefreshAt === null || lastRefreshErrorAt.getTime() >= lastRefreshAt.getTime();
}

/** Refreshing is failing because Zoho declared the refresh token invalid. */
export function needsReauthorization(history: RefreshHistory): boolean {
  return isRefreshFailing(history) && history.lastRefreshErrorCode === REVOKED_REFRESH_TOKEN_CODE;
}
