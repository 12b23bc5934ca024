import { ReAuthorizeError } from '../errors.js';
import { createRefreshBudget, DEFAULT_REFRESH_LIMIT } from './budget.js';
import { createCredentialCache } from './cache.js';
import { createFailureBoard } from './failures.js';
import { createRefreshLock } from './lock.js';
import { redisKeys } from './redis.js';
import { createRefresher } from './refresh.js';
import { tokenSecrets } from './secrets.js';
import { grantedTokens, maySeed, seededTokens } from './seed.js';
import { tokenStatus } from './status.js';
import type { AccessCredentials, TokenManager, TokenManagerConfig } from './types.js';

export { DEFAULT_REFRESH_LIMIT, type RefreshLimit } from './budget.js';
export { effectiveMargin, MAX_MARGIN_SHARE } from './margin.js';
export type { RedisLike } from './redis.js';
export {
  isRefreshFailing,
  needsReauthorization,
  REVOKED_REFRESH_TOKEN_CODE,
  type RefreshHistory,
} from './refresh-failing.js';
export type { AccessCredentials, TokenManager, TokenManagerConfig, TokenStatus } from './types.js';

/**
 * The token manager: "zero maintenance" means the access token is always there when a worker needs
 * it, at most one process refreshes at a time, and Zoho's token-creation limit is never hit.
 *
 * Layers, cheapest first:
 * 1. In-process cache (cache.ts): a token with more than `safetyMarginMs` left is returned without
 *    I/O. The margin (and any `minRemainingMs`) is capped at a share of the lifetime the token was
 *    issued with (margin.ts), so a token issued for less than the margin is still used.
 * 2. The store, the refresh lock (lock.ts) and the refresh budget (budget.ts), in refresh.ts;
 *    a failed refresh is published to the other processes for a while (failures.ts).
 *
 * This file only composes them and keeps one acquisition in flight per caller need.
 */
export function createTokenManager(config: TokenManagerConfig): TokenManager {
  const { store, redis } = config;
  const limit = config.refreshLimit ?? DEFAULT_REFRESH_LIMIT;
  const lockTtlMs = config.lockTtlMs ?? 30_000;
  const now = config.now ?? Date.now;
  const keys = redisKeys(config.keyPrefix ?? 'leadsync:zoho:');
  const secrets = tokenSecrets(config.encryptionKey);
  const cache = createCredentialCache(secrets.fingerprint);
  const budget = createRefreshBudget(redis, keys, limit);
  const { obtain, enoughLeft } = createRefresher({
    store,
    oauth: config.oauth,
    secrets,
    cache,
    lock: createRefreshLock(redis, keys.lock, lockTtlMs),
    budget,
    limit,
    failures: createFailureBoard(redis, keys, {
      transientMs: config.transientFailureHoldMs ?? 2_000,
      windowMs: limit.windowMs,
    }),
    safetyMarginMs: config.safetyMarginMs ?? 5 * 60_000,
    waitTimeoutMs: config.waitTimeoutMs ?? 2 * lockTtlMs,
    pollIntervalMs: config.pollIntervalMs ?? 100,
    // a metrics hook that throws must not turn a good refresh into a failed one
    reportRefresh: (result) => {
      try {
        config.onRefresh?.(result);
      } catch {}
    },
    now,
  });

  const inflight = new Map<number, Promise<AccessCredentials>>();
  let inflightForce: Promise<AccessCredentials> | null = null;

  async function getCredentials(options: { minRemainingMs?: number } = {}): Promise<AccessCredentials> {
    const minRemainingMs = options.minRemainingMs ?? 0;
    const cached = cache.current;
    if (cached && enoughLeft(cached.expiresAt, cached.issuedAt, minRemainingMs)) return cached;
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
      cache.invalidate(accessToken);
    },
    async status() {
      const tokens = await store.load();
      const usage = tokens
        ? await budget.usage(secrets.fingerprint(secrets.openRefresh(tokens.refreshTokenCiphertext)))
        : { refreshesInWindow: 0, throttledUntil: null };
      return tokenStatus(tokens, usage, limit);
    },
    async saveGrant(grant) {
      if (!grant.refreshToken) {
        throw new ReAuthorizeError('NO_REFRESH_TOKEN', 'the token grant carries no refresh token: consent again');
      }
      const sealed = {
        accessTokenCiphertext: secrets.sealAccess(grant.accessToken),
        refreshTokenCiphertext: secrets.sealRefresh(grant.refreshToken),
      };
      await store.save(
        grantedTokens(grant, sealed, new Date(now()), config.defaultApiDomain ?? 'https://www.zohoapis.com'),
      );
      cache.reset();
    },
    async seedRefreshToken({ refreshToken, accountsServer, apiDomain }) {
      const existing = await store.load();
      const same = existing !== null && secrets.openRefresh(existing.refreshTokenCiphertext) === refreshToken;
      if (!maySeed(existing, same)) return false;
      await store.save(
        seededTokens({ refreshTokenCiphertext: secrets.sealRefresh(refreshToken), accountsServer, apiDomain }),
      );
      cache.forget();
      return true;
    },
  };
}
