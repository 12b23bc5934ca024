import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReAuthorizeError, RetryLaterError, WaitUntilError } from '../errors.js';
import { wasNotSent } from '../http.js';
import type { OAuthClient, TokenGrant } from '../oauth.js';
import type { StoredTokens, TokenStore } from '../token-store.js';
import { type RefreshBudget, type RefreshLimit, refreshThrottled } from './budget.js';
import type { CredentialCache } from './cache.js';
import type { FailureBoard } from './failures.js';
import { toZohoError } from './failures.js';
import type { RefreshLock } from './lock.js';
import { hasEnoughLeft } from './margin.js';
import { bestEffort } from './redis.js';
import type { TokenSecrets } from './secrets.js';
import type { AccessCredentials } from './types.js';

export interface RefresherDeps {
  store: TokenStore;
  oauth: Pick<OAuthClient, 'refreshAccessToken'>;
  secrets: TokenSecrets;
  cache: CredentialCache;
  lock: RefreshLock;
  budget: RefreshBudget;
  limit: RefreshLimit;
  failures: FailureBoard;
  safetyMarginMs: number;
  waitTimeoutMs: number;
  pollIntervalMs: number;
  reportRefresh: (result: { ok: boolean; code?: string }) => void;
  now: () => number;
}

/**
 * Obtaining a token across processes, cheapest first:
 * 1. The store (database): another process may already have refreshed.
 * 2. The refresh lock, so one process refreshes; the holder re-reads the store after taking it, so
 *    a process that queued behind a refresh uses the fresh token instead of refreshing again.
 *    Everyone else polls the store until the new token appears, the holder's failure is published,
 *    the lock frees up (holder died → next in line refreshes), or a bounded wait ends.
 * 3. The refresh budget: refuse with WaitUntilError before Zoho would lock the refresh token.
 */
export function createRefresher(deps: RefresherDeps) {
  const { store, oauth, secrets, cache, lock, budget, failures, now } = deps;

  /** Enough left: more than the safety margin or `minRemainingMs`, whichever is larger (capped, see margin.ts). */
  const enoughLeft = (expiresAt: Date, issuedAt: Date | null, minRemainingMs: number) =>
    hasEnoughLeft(expiresAt, issuedAt, now(), Math.max(deps.safetyMarginMs, minRemainingMs));

  function usable(tokens: StoredTokens, minRemainingMs: number): AccessCredentials | null {
    const { accessTokenCiphertext, accessTokenExpiresAt: expiresAt, accessTokenIssuedAt: issuedAt } = tokens;
    if (accessTokenCiphertext === null || expiresAt === null || !enoughLeft(expiresAt, issuedAt, minRemainingMs)) {
      return null;
    }
    const accessToken = secrets.openAccess(accessTokenCiphertext);
    if (cache.isInvalidated(accessToken)) return null;
    return { accessToken, apiDomain: tokens.apiDomain, expiresAt, issuedAt };
  }

  async function loadOrThrow(): Promise<StoredTokens> {
    const tokens = await store.load();
    if (!tokens) {
      throw new ReAuthorizeError('NOT_CONNECTED', 'no Zoho tokens are stored: authorise the Zoho connection first');
    }
    return tokens;
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
      if (fresh) return cache.remember(fresh);
    }
    const refreshToken = secrets.openRefresh(current.refreshTokenCiphertext);
    const refreshFp = secrets.fingerprint(refreshToken);
    await failures.throwIfPublished(refreshFp);

    const member = `${now()}:${randomUUID()}`;
    const reservation = await budget.reserve(refreshFp, member);
    if (!reservation.granted) {
      const error = refreshThrottled(deps.limit, reservation.resetAt);
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
      deps.reportRefresh({ ok: false, code: error.code });
      // Bookkeeping is best effort: the caller must see Zoho's answer, not a Redis hiccup.
      if (wasNotSent(error)) await bestEffort(budget.giveBack(refreshFp, member));
      if (error instanceof WaitUntilError) {
        // Zoho itself throttled us: block every process for the rest of Zoho's window.
        await bestEffort(budget.blockUntil(refreshFp, error.resetAt, now()));
      }
      await bestEffort(failures.publish(refreshFp, error, now()));
      await bestEffort(
        store.recordRefreshFailure(
          { code: error.code, message: error.message, at: new Date(now()) },
          current.refreshTokenCiphertext,
        ),
      );
      throw error;
    }
    deps.reportRefresh({ ok: true });

    const issuedAt = new Date(now());
    const credentials: AccessCredentials = {
      accessToken: grant.accessToken,
      apiDomain: grant.apiDomain ?? current.apiDomain,
      expiresAt: new Date(issuedAt.getTime() + grant.expiresInMs),
      issuedAt,
    };
    // Cached before the write: if the database fails now, this process still uses the token it spent
    // a refresh on instead of spending another.
    cache.remember(credentials);
    const saved = await store.saveRefreshed(current.refreshTokenCiphertext, {
      accessTokenCiphertext: secrets.sealAccess(grant.accessToken),
      accessTokenIssuedAt: issuedAt,
      accessTokenExpiresAt: credentials.expiresAt,
      apiDomain: credentials.apiDomain,
      // Zoho does not rotate refresh tokens today; keep a new one if it ever sends one.
      refreshTokenCiphertext:
        grant.refreshToken && grant.refreshToken !== refreshToken
          ? secrets.sealRefresh(grant.refreshToken)
          : current.refreshTokenCiphertext,
      lastRefreshAt: issuedAt,
    });
    if (!saved) {
      // A new grant was stored while this refresh was in flight (an operator re-connected Zoho):
      // the store kept it and dropped our write. Forget the old grant's token and start over from
      // what the store holds now (its token, or one refresh of the new grant).
      cache.forget();
      return refreshHoldingLock(current.accessTokenCiphertext, false, force ? 0 : minRemainingMs);
    }
    await bestEffort(failures.clear(refreshFp));
    return credentials;
  }

  /** A token from the store, or from a refresh this process makes or waits for. */
  async function obtain(force: boolean, minRemainingMs: number): Promise<AccessCredentials> {
    const initial = await loadOrThrow();
    if (!force) {
      const fresh = usable(initial, minRemainingMs);
      if (fresh) return cache.remember(fresh);
    }
    const initialCiphertext = initial.accessTokenCiphertext;
    const refreshFp = secrets.fingerprint(secrets.openRefresh(initial.refreshTokenCiphertext));
    await failures.throwIfPublished(refreshFp);

    const deadline = now() + deps.waitTimeoutMs;
    for (;;) {
      const holderId = randomUUID();
      if (await lock.tryAcquire(holderId)) {
        try {
          return await refreshHoldingLock(initialCiphertext, force, minRemainingMs);
        } finally {
          await lock.release(holderId);
        }
      }
      // Another process is refreshing: wait for its token, its failure, or the lock to free up.
      for (;;) {
        await sleep(deps.pollIntervalMs);
        const current = await store.load();
        if (current && current.accessTokenCiphertext !== initialCiphertext) {
          const fresh = usable(current, force ? 0 : minRemainingMs);
          if (fresh) return cache.remember(fresh);
        }
        await failures.throwIfPublished(refreshFp);
        if (!(await lock.isHeld())) break;
        if (now() > deadline) {
          throw new RetryLaterError(
            'TOKEN_REFRESH_WAIT_TIMEOUT',
            'timed out waiting for another process to refresh the Zoho access token',
          );
        }
      }
    }
  }

  return { obtain, enoughLeft };
}
