import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { decryptSecret, encryptSecret, fingerprintSecret } from './crypto.js';
import {
  FixConfigError,
  ReAuthorizeError,
  RejectedRequestError,
  RetryLaterError,
  WaitUntilError,
  ZohoError,
  type ZohoErrorAction,
} from './errors.js';
import { wasNotSent } from './http.js';
import type { OAuthClient, TokenGrant } from './oauth.js';
import { effectiveMargin } from './token-margin.js';
import type { StoredTokens, TokenStore } from './token-store.js';

/**
 * The token manager: "zero maintenance" means the access token is always there when a worker needs
 * it, at most one process refreshes at a time, and Zoho's token-creation limit is never hit.
 *
 * Layers, cheapest first:
 * 1. In-process cache: a token with more than `safetyMarginMs` left is returned without I/O. The
 *    margin (and any `minRemainingMs`) is capped at a share of the lifetime the token was issued
 *    with (effectiveMargin), so a token issued for less than the margin is still used.
 * 2. The store (database): another process may already have refreshed.
 * 3. A Redis lock (SET NX PX) so one process refreshes; the holder re-reads the store after taking
 *    it, so a process that queued behind a refresh uses the fresh token instead of refreshing again.
 *    Everyone else polls the store until the new token appears, the holder's failure is published,
 *    the lock frees up (holder died → next in line refreshes), or a bounded wait ends.
 * 4. A Redis sliding-window counter of refresh attempts per refresh token (keyed by an HMAC
 *    fingerprint, never the token): refuse with WaitUntilError before Zoho would lock the token.
 *
 * Only `eval` is needed from Redis, so any ioredis instance (or a test double) fits `RedisLike`.
 */

export interface RedisLike {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export interface RefreshLimit {
  max: number;
  windowMs: number;
}

/**
 * Zoho allows 10 access tokens per refresh token per 10 minutes (§2.6). We allow 9: one stays in
 * hand for an operator (or a second deployment sharing the token) and absorbs clock skew between
 * our window and Zoho's. Attempts are counted, not successes, because we cannot know whether Zoho
 * counted a refresh whose answer we never saw; attempts that provably never left (connection
 * refused, DNS failure) are given back.
 */
export const DEFAULT_REFRESH_LIMIT: RefreshLimit = { max: 9, windowMs: 10 * 60_000 };

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
  /** The most recent refresh attempt failed (the error is newer than the last success). */
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

const ACCESS_CONTEXT = 'zoho:access_token';
const REFRESH_CONTEXT = 'zoho:refresh_token';

// SET NX PX: only one holder; the random value lets only the holder release it.
const LOCK_SCRIPT = `return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0`;
const UNLOCK_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const EXISTS_SCRIPT = `return redis.call('EXISTS', KEYS[1])`;

// Sliding window over Redis's own clock (TIME), so processes on machines with skewed clocks agree.
// KEYS: window zset, block key. ARGV: windowMs, max, member.
// Returns {1, now, count} when a slot was taken, {0, resetAtMs, count} when refused.
const RESERVE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return {0, now + blocked, -1} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= max then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window, count}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {1, now, count + 1}`;

// KEYS: window zset, block key. ARGV: windowMs, max. Returns {count, throttledUntilMs or 0}.
const WINDOW_STATUS_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return {count, now + blocked} end
if count >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {count, tonumber(oldest[2]) + window}
end
return {count, 0}`;

const ZREM_SCRIPT = `return redis.call('ZREM', KEYS[1], ARGV[1])`;
const SET_PX_SCRIPT = `return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])`;
const GET_SCRIPT = `return redis.call('GET', KEYS[1])`;
const DEL_SCRIPT = `return redis.call('DEL', KEYS[1])`;

interface PublishedFailure {
  action: ZohoErrorAction;
  code: string;
  message: string;
  resetAt?: number;
}

function toZohoError(error: unknown): ZohoError {
  if (error instanceof ZohoError) return error;
  return new RetryLaterError('TOKEN_REFRESH_FAILED', 'Zoho token refresh failed unexpectedly', { cause: error });
}

function errorFromPublished(f: PublishedFailure): ZohoError {
  const message = `${f.message} (reported by the process that attempted the refresh)`;
  switch (f.action) {
    case 're_authorize':
      return new ReAuthorizeError(f.code, message);
    case 'fix_config':
      return new FixConfigError(f.code, message);
    case 'wait_until':
      return new WaitUntilError(f.code, message, new Date(f.resetAt ?? Date.now()));
    case 'rejected_request':
      return new RejectedRequestError(f.code, message);
    default:
      return new RetryLaterError(f.code, message);
  }
}

const MAX_INVALIDATED = 32;

export function createTokenManager(config: TokenManagerConfig): TokenManager {
  const { store, oauth, redis, encryptionKey } = config;
  const prefix = config.keyPrefix ?? 'leadsync:zoho:';
  const safetyMarginMs = config.safetyMarginMs ?? 5 * 60_000;
  const limit = config.refreshLimit ?? DEFAULT_REFRESH_LIMIT;
  const lockTtlMs = config.lockTtlMs ?? 30_000;
  const waitTimeoutMs = config.waitTimeoutMs ?? 2 * lockTtlMs;
  const pollIntervalMs = config.pollIntervalMs ?? 100;
  const transientHoldMs = config.transientFailureHoldMs ?? 2_000;
  const now = config.now ?? Date.now;
  // a metrics hook that throws must not turn a good refresh into a failed one
  const reportRefresh = (result: { ok: boolean; code?: string }) => {
    try {
      config.onRefresh?.(result);
    } catch {}
  };
  if (limit.max < 1 || limit.windowMs <= 0) {
    throw new FixConfigError('INVALID_REFRESH_LIMIT', 'refreshLimit needs max >= 1 and windowMs > 0');
  }

  const lockKey = `${prefix}refresh:lock`;
  const windowKey = (fp: string) => `${prefix}refresh:window:${fp}`;
  const blockKey = (fp: string) => `${prefix}refresh:blocked:${fp}`;
  const failureKey = (fp: string) => `${prefix}refresh:failure:${fp}`;

  let cached: AccessCredentials | null = null;
  // Fingerprints of tokens Zoho rejected; a bounded list (a handful of tokens per hour at most).
  const invalidated: string[] = [];
  const inflight = new Map<number, Promise<AccessCredentials>>();
  let inflightForce: Promise<AccessCredentials> | null = null;

  const fp = (secret: string) => fingerprintSecret(secret, encryptionKey);
  // Without Redis there is no lock and no shared refresh count, so refreshing would risk Zoho's
  // limit: refuse (retry later) instead. Cached tokens keep working, they need no Redis.
  const run = async (script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.eval(script, numKeys, ...args);
    } catch (cause) {
      throw new RetryLaterError('REDIS_UNAVAILABLE', 'Redis is unavailable for the Zoho token lock', { cause });
    }
  };
  const remainingOk = (expiresAt: Date | null, issuedAt: Date | null, minRemainingMs: number) => {
    if (expiresAt === null) return false;
    const issuedLifetimeMs = issuedAt === null ? null : expiresAt.getTime() - issuedAt.getTime();
    return expiresAt.getTime() - now() > effectiveMargin(issuedLifetimeMs, Math.max(safetyMarginMs, minRemainingMs));
  };

  function usable(tokens: StoredTokens, minRemainingMs: number): AccessCredentials | null {
    const { accessTokenCiphertext, accessTokenExpiresAt: expiresAt, accessTokenIssuedAt: issuedAt } = tokens;
    if (accessTokenCiphertext === null || expiresAt === null || !remainingOk(expiresAt, issuedAt, minRemainingMs)) {
      return null;
    }
    const accessToken = decryptSecret(accessTokenCiphertext, encryptionKey, ACCESS_CONTEXT);
    if (invalidated.includes(fp(accessToken))) return null;
    return { accessToken, apiDomain: tokens.apiDomain, expiresAt, issuedAt };
  }

  function remember(credentials: AccessCredentials): AccessCredentials {
    cached = credentials;
    return credentials;
  }

  async function loadOrThrow(): Promise<StoredTokens> {
    const tokens = await store.load();
    if (!tokens) {
      throw new ReAuthorizeError('NOT_CONNECTED', 'no Zoho tokens are stored: authorise the Zoho connection first');
    }
    return tokens;
  }

  async function tryLock(id: string): Promise<boolean> {
    return Number(await run(LOCK_SCRIPT, 1, lockKey, id, lockTtlMs)) === 1;
  }

  /** Best effort: a lock we fail to release expires after lockTtlMs anyway. */
  async function unlock(id: string): Promise<void> {
    await run(UNLOCK_SCRIPT, 1, lockKey, id).catch(() => undefined);
  }

  async function throwIfPublishedFailure(refreshFp: string): Promise<void> {
    const raw = await run(GET_SCRIPT, 1, failureKey(refreshFp));
    if (typeof raw !== 'string') return;
    let published: PublishedFailure;
    try {
      published = JSON.parse(raw) as PublishedFailure;
    } catch {
      return; // unreadable entry: ignore it rather than block refreshes
    }
    throw errorFromPublished(published);
  }

  /** Lets waiting processes (and callers in the next moments) see this failure instead of repeating it. */
  async function publishFailure(refreshFp: string, error: ZohoError): Promise<void> {
    let holdMs = transientHoldMs;
    const published: PublishedFailure = { action: error.action, code: error.code, message: error.message };
    if (error instanceof WaitUntilError) {
      published.resetAt = error.resetAt.getTime();
      holdMs = Math.max(1, error.resetAt.getTime() - now());
    } else if (error instanceof ReAuthorizeError) {
      holdMs = limit.windowMs; // a revoked token stays revoked; a new grant has a new fingerprint
    } else if (error instanceof FixConfigError) {
      holdMs = 60_000;
    }
    await run(SET_PX_SCRIPT, 1, failureKey(refreshFp), JSON.stringify(published), holdMs);
  }

  async function refreshHoldingLock(
    initialCiphertext: string | null,
    force: boolean,
    minRemainingMs: number,
  ): Promise<AccessCredentials> {
    // The re-read that makes queued processes reuse the token the previous holder just saved.
    const current = await loadOrThrow();
    if (current.accessTokenCiphertext !== initialCiphertext || !force) {
      const fresh = usable(current, force ? 0 : minRemainingMs);
      if (fresh) return remember(fresh);
    }
    const refreshToken = decryptSecret(current.refreshTokenCiphertext, encryptionKey, REFRESH_CONTEXT);
    const refreshFp = fp(refreshToken);
    await throwIfPublishedFailure(refreshFp);

    const member = `${now()}:${randomUUID()}`;
    const reservation = (await run(
      RESERVE_SCRIPT,
      2,
      windowKey(refreshFp),
      blockKey(refreshFp),
      limit.windowMs,
      limit.max,
      member,
    )) as [number, number, number];
    if (Number(reservation[0]) !== 1) {
      const error = new WaitUntilError(
        'REFRESH_THROTTLED',
        `Zoho token refresh refused locally: ${limit.max} refreshes in ${Math.round(limit.windowMs / 1000)} s ` +
          "already used (Zoho's limit is 10 per 10 minutes per refresh token)",
        new Date(Number(reservation[1])),
      );
      await store.recordRefreshFailure(
        { code: error.code, message: error.message, at: new Date(now()) },
        current.refreshTokenCiphertext,
      );
      throw error;
    }

    let grant: TokenGrant;
    try {
      grant = await oauth.refreshAccessToken({ refreshToken, accountsServer: current.accountsServer });
    } catch (thrown) {
      const error = toZohoError(thrown);
      reportRefresh({ ok: false, code: error.code });
      // Bookkeeping is best effort: the caller must see Zoho's answer, not a Redis hiccup.
      const bestEffort = (p: Promise<unknown>) => p.catch(() => undefined);
      if (wasNotSent(error)) await bestEffort(run(ZREM_SCRIPT, 1, windowKey(refreshFp), member));
      if (error instanceof WaitUntilError) {
        // Zoho itself throttled us: block every process for the rest of Zoho's window.
        const ms = Math.max(1, error.resetAt.getTime() - now());
        await bestEffort(run(SET_PX_SCRIPT, 1, blockKey(refreshFp), '1', ms));
      }
      await bestEffort(publishFailure(refreshFp, error));
      await bestEffort(
        store.recordRefreshFailure(
          { code: error.code, message: error.message, at: new Date(now()) },
          current.refreshTokenCiphertext,
        ),
      );
      throw error;
    }
    reportRefresh({ ok: true });

    const issuedAt = new Date(now());
    const credentials: AccessCredentials = {
      accessToken: grant.accessToken,
      apiDomain: grant.apiDomain ?? current.apiDomain,
      expiresAt: new Date(issuedAt.getTime() + grant.expiresInMs),
      issuedAt,
    };
    // Cached before the write: if the database fails now, this process still uses the token it spent
    // a refresh on instead of spending another.
    remember(credentials);
    const saved = await store.saveRefreshed(current.refreshTokenCiphertext, {
      accessTokenCiphertext: encryptSecret(grant.accessToken, encryptionKey, ACCESS_CONTEXT),
      accessTokenIssuedAt: issuedAt,
      accessTokenExpiresAt: credentials.expiresAt,
      apiDomain: credentials.apiDomain,
      // Zoho does not rotate refresh tokens today; keep a new one if it ever sends one.
      refreshTokenCiphertext:
        grant.refreshToken && grant.refreshToken !== refreshToken
          ? encryptSecret(grant.refreshToken, encryptionKey, REFRESH_CONTEXT)
          : current.refreshTokenCiphertext,
      lastRefreshAt: issuedAt,
    });
    if (!saved) {
      // A new grant was stored while this refresh was in flight (an operator re-connected Zoho):
      // the store kept it and dropped our write. Forget the old grant's token and start over from
      // what the store holds now (its token, or one refresh of the new grant).
      cached = null;
      return refreshHoldingLock(current.accessTokenCiphertext, false, force ? 0 : minRemainingMs);
    }
    await run(DEL_SCRIPT, 1, failureKey(refreshFp)).catch(() => undefined);
    return credentials;
  }

  async function obtain(force: boolean, minRemainingMs: number): Promise<AccessCredentials> {
    const initial = await loadOrThrow();
    if (!force) {
      const fresh = usable(initial, minRemainingMs);
      if (fresh) return remember(fresh);
    }
    const initialCiphertext = initial.accessTokenCiphertext;
    const refreshFp = fp(decryptSecret(initial.refreshTokenCiphertext, encryptionKey, REFRESH_CONTEXT));
    await throwIfPublishedFailure(refreshFp);

    const deadline = now() + waitTimeoutMs;
    for (;;) {
      const lockId = randomUUID();
      if (await tryLock(lockId)) {
        try {
          return await refreshHoldingLock(initialCiphertext, force, minRemainingMs);
        } finally {
          await unlock(lockId);
        }
      }
      // Another process is refreshing: wait for its token, its failure, or the lock to free up.
      for (;;) {
        await sleep(pollIntervalMs);
        const current = await store.load();
        if (current && current.accessTokenCiphertext !== initialCiphertext) {
          const fresh = usable(current, force ? 0 : minRemainingMs);
          if (fresh) return remember(fresh);
        }
        await throwIfPublishedFailure(refreshFp);
        if (Number(await run(EXISTS_SCRIPT, 1, lockKey)) === 0) break;
        if (now() > deadline) {
          throw new RetryLaterError(
            'TOKEN_REFRESH_WAIT_TIMEOUT',
            'timed out waiting for another process to refresh the Zoho access token',
          );
        }
      }
    }
  }

  async function getCredentials(options: { minRemainingMs?: number } = {}): Promise<AccessCredentials> {
    const minRemainingMs = options.minRemainingMs ?? 0;
    if (cached && remainingOk(cached.expiresAt, cached.issuedAt, minRemainingMs)) return cached;
    // One in-flight acquisition per threshold: callers asking the same share it; a scheduled job
    // asking for more remaining validity does not get handed a token that cannot satisfy it.
    let pending = inflight.get(minRemainingMs);
    if (!pending) {
      pending = obtain(false, minRemainingMs).finally(() => inflight.delete(minRemainingMs));
      inflight.set(minRemainingMs, pending);
    }
    return pending;
  }

  return {
    getCredentials,
    async getValidAccessToken(options) {
      return (await getCredentials(options)).accessToken;
    },
    forceRefresh() {
      if (!inflightForce) {
        inflightForce = obtain(true, 0).finally(() => {
          inflightForce = null;
        });
      }
      return inflightForce;
    },
    invalidate(accessToken) {
      const tokenFp = fp(accessToken);
      if (!invalidated.includes(tokenFp)) {
        invalidated.push(tokenFp);
        if (invalidated.length > MAX_INVALIDATED) invalidated.shift();
      }
      if (cached?.accessToken === accessToken) cached = null;
    },
    async status() {
      const tokens = await store.load();
      let refreshesInWindow = 0;
      let throttledUntil: Date | null = null;
      if (tokens) {
        const refreshFp = fp(decryptSecret(tokens.refreshTokenCiphertext, encryptionKey, REFRESH_CONTEXT));
        const [count, until] = (await run(
          WINDOW_STATUS_SCRIPT,
          2,
          windowKey(refreshFp),
          blockKey(refreshFp),
          limit.windowMs,
          limit.max,
        )) as [number, number];
        refreshesInWindow = Number(count);
        throttledUntil = Number(until) > 0 ? new Date(Number(until)) : null;
      }
      const errorAt = tokens?.lastRefreshErrorAt ?? null;
      const lastRefreshError =
        tokens && errorAt && tokens.lastRefreshErrorCode
          ? { code: tokens.lastRefreshErrorCode, message: tokens.lastRefreshErrorMessage ?? '', at: errorAt }
          : null;
      const refreshFailing =
        lastRefreshError !== null && (tokens?.lastRefreshAt == null || lastRefreshError.at >= tokens.lastRefreshAt);
      return {
        connected: tokens !== null,
        accessTokenExpiresAt: tokens?.accessTokenExpiresAt ?? null,
        apiDomain: tokens?.apiDomain ?? null,
        accountsServer: tokens?.accountsServer ?? null,
        lastRefreshAt: tokens?.lastRefreshAt ?? null,
        lastRefreshError,
        refreshFailing,
        needsReauthorization: refreshFailing && lastRefreshError?.code === 'invalid_code',
        refreshesInWindow,
        refreshLimit: { ...limit },
        throttledUntil,
      };
    },
    async saveGrant(grant) {
      if (!grant.refreshToken) {
        throw new ReAuthorizeError('NO_REFRESH_TOKEN', 'the token grant carries no refresh token: consent again');
      }
      const at = new Date(now());
      await store.save({
        accessTokenCiphertext: encryptSecret(grant.accessToken, encryptionKey, ACCESS_CONTEXT),
        refreshTokenCiphertext: encryptSecret(grant.refreshToken, encryptionKey, REFRESH_CONTEXT),
        accessTokenExpiresAt: new Date(at.getTime() + grant.expiresInMs),
        accessTokenIssuedAt: at,
        apiDomain: grant.apiDomain ?? config.defaultApiDomain ?? 'https://www.zohoapis.com',
        accountsServer: grant.accountsServer,
        lastRefreshAt: at,
        lastRefreshErrorCode: null,
        lastRefreshErrorMessage: null,
        lastRefreshErrorAt: null,
      });
      cached = null;
      invalidated.length = 0;
    },
    async seedRefreshToken({ refreshToken, accountsServer, apiDomain }) {
      const existing = await store.load();
      if (existing) {
        const same = decryptSecret(existing.refreshTokenCiphertext, encryptionKey, REFRESH_CONTEXT) === refreshToken;
        const revoked =
          existing.lastRefreshErrorCode === 'invalid_code' &&
          (existing.lastRefreshAt === null ||
            (existing.lastRefreshErrorAt !== null && existing.lastRefreshErrorAt >= existing.lastRefreshAt));
        if (same || !revoked) return false;
      }
      await store.save({
        accessTokenCiphertext: null,
        refreshTokenCiphertext: encryptSecret(refreshToken, encryptionKey, REFRESH_CONTEXT),
        accessTokenExpiresAt: null,
        accessTokenIssuedAt: null,
        apiDomain,
        accountsServer,
        lastRefreshAt: null,
        lastRefreshErrorCode: null,
        lastRefreshErrorMessage: null,
        lastRefreshErrorAt: null,
      });
      cached = null;
      return true;
    },
  };
}
