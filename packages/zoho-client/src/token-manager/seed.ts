import type { TokenGrant } from '../oauth.js';
import type { StoredTokens } from '../token-store.js';
import { needsReauthorization } from './refresh-failing.js';

/** A connection starts with no refresh history: errors of an earlier grant do not carry over. */
const NO_REFRESH_ERROR = { lastRefreshErrorCode: null, lastRefreshErrorMessage: null, lastRefreshErrorAt: null };

/**
 * ZOHO_REFRESH_TOKEN may be written into an empty store, or over a grant Zoho declared invalid;
 * never over a working connection (an old env value must not replace a newer OAuth connection),
 * and not again over the same token.
 */
export function maySeed(existing: StoredTokens | null, sameRefreshToken: boolean): boolean {
  if (existing === null) return true;
  return !sameRefreshToken && needsReauthorization(existing);
}

/** The row a seeded refresh token starts from: no access token yet, so the first use refreshes. */
export function seededTokens(params: {
  refreshTokenCiphertext: string;
  accountsServer: string;
  apiDomain: string;
}): StoredTokens {
  return {
    accessTokenCiphertext: null,
    refreshTokenCiphertext: params.refreshTokenCiphertext,
    accessTokenExpiresAt: null,
    accessTokenIssuedAt: null,
    apiDomain: params.apiDomain,
    accountsServer: params.accountsServer,
    lastRefreshAt: null,
    ...NO_REFRESH_ERROR,
  };
}

/** The row a code exchange's grant starts from; its access token counts as the latest refresh. */
export function grantedTokens(
  grant: TokenGrant,
  sealed: { accessTokenCiphertext: string; refreshTokenCiphertext: string },
  at: Date,
  defaultApiDomain: string,
): StoredTokens {
  return {
    ...sealed,
    accessTokenExpiresAt: new Date(at.getTime() + grant.expiresInMs),
    accessTokenIssuedAt: at,
    apiDomain: grant.apiDomain ?? defaultApiDomain,
    accountsServer: grant.accountsServer,
    lastRefreshAt: at,
    ...NO_REFRESH_ERROR,
  };
}
