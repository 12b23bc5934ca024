import type { OAuthClient, TokenGrant } from '../oauth.js';
import type { TokenStore } from '../token-store.js';
import type { RefreshLimit } from './budget.js';
import type { RedisLike } from './redis.js';

export interface TokenManagerConfig {
  store: TokenStore;
  oauth: Pick<OAuthClient, 'refreshAccessToken'>;
  redis: RedisLike;
  /** Parsed TOKEN_ENCRYPTION_KEY (crypto.parseEncryptionKey). */
  encryptionKey: Buffer;
  /** ZOHO_API_DOMAIN: used only when a token response names no api_domain. */
  defaultApiDomain?: string;
  /** Every Redis key starts with it. Default `leadsync:zoho:`. */
  keyPrefix?: string;
  /** A cached token with less than this left is refreshed (at most a quarter of its issued lifetime). Default 5 minutes. */
  safetyMarginMs?: number;
  refreshLimit?: RefreshLimit;
  /** Must exceed the token endpoint timeout. Default 30 s. */
  lockTtlMs?: number;
  /** How long a caller waits for another process's refresh. Default 2 × lockTtlMs. */
  waitTimeoutMs?: number;
  /** Store polling while waiting. Default 100 ms. */
  pollIntervalMs?: number;
  /** How long a transient refresh failure is replayed to other callers instead of retried. Default 2 s. */
  transientFailureHoldMs?: number;
  /** Observability: called once per refresh request sent to Zoho (not for one refused by our own throttle). */
  onRefresh?: (result: { ok: boolean; code?: string }) => void;
  now?: () => number;
}

export interface AccessCredentials {
  accessToken: string;
  /** Where to send CRM calls with this token. */
  apiDomain: string;
  expiresAt: Date;
  /** When the token was issued; null for a token stored before issue times were recorded. */
  issuedAt: Date | null;
}

export interface TokenStatus {
  connected: boolean;
  accessTokenExpiresAt: Date | null;
  apiDomain: string | null;
  accountsServer: string | null;
  lastRefreshAt: Date | null;
  lastRefreshError: { code: string; message: string; at: Date } | null;
  /** The most recent refresh attempt failed (isRefreshFailing). */
  refreshFailing: boolean;
  /** The refresh token is revoked/invalid: a person must authorise again. */
  needsReauthorization: boolean;
  refreshesInWindow: number;
  refreshLimit: RefreshLimit;
  /** Set when no refresh may be attempted before this time (our throttle or Zoho's "Access Denied"). */
  throttledUntil: Date | null;
}

export interface TokenManager {
  /**
   * A token with more than the safety margin (or `minRemainingMs`, if larger) left, that
   * threshold capped at a quarter of the lifetime the token was issued with. A scheduled "refresh
   * ahead of expiry" job passes e.g. 15 minutes; the cap keeps it from refreshing on every run when
   * Zoho issues tokens shorter than that.
   */
  getValidAccessToken(options?: { minRemainingMs?: number }): Promise<string>;
  /** The same, with the API domain the token belongs to. */
  getCredentials(options?: { minRemainingMs?: number }): Promise<AccessCredentials>;
  /**
   * Refreshes now (scheduled job, admin `force_refresh`) — unless another process refreshed while
   * this call waited for the lock, in which case its token is returned.
   */
  forceRefresh(): Promise<AccessCredentials>;
  /**
   * Zoho said 401 INVALID_TOKEN for this token: never hand it out again, so the next call
   * refreshes once (and concurrent callers in every process share that one refresh).
   */
  invalidate(accessToken: string): void;
  status(): Promise<TokenStatus>;
  /** Stores the tokens from a code exchange (replaces the connection; clears recorded errors). */
  saveGrant(grant: TokenGrant): Promise<void>;
  /**
   * ZOHO_REFRESH_TOKEN seeding. Writes only into an empty store, or over a stored token that Zoho has
   * declared invalid — so an old env value never overwrites a newer OAuth connection.
   */
  seedRefreshToken(params: { refreshToken: string; accountsServer: string; apiDomain: string }): Promise<boolean>;
}
