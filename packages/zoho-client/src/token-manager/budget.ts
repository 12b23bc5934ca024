import { FixConfigError, WaitUntilError } from '../errors.js';
import { guarded, type RedisKeys, type RedisLike } from './redis.js';
import { REFRESH_WINDOW_SCRIPT } from './scripts/refresh-window.js';
import { RESERVE_REFRESH_SCRIPT } from './scripts/reserve-refresh.js';

export interface RefreshLimit {
  max: number;
  windowMs: number;
}

/**
 * Zoho allows 10 access tokens per refresh token per 10 minutes (docs/zoho-crm.md §2.6). We allow
 * 9: one stays in hand for an operator (or a second deployment sharing the token) and absorbs clock
 * skew between our window and Zoho's. Attempts are counted, not successes, because we cannot know
 * whether Zoho counted a refresh whose answer we never saw; attempts that provably never left
 * (connection refused, DNS failure) are given back.
 */
export const DEFAULT_REFRESH_LIMIT: RefreshLimit = { max: 9, windowMs: 10 * 60_000 };

export function assertValidLimit(limit: RefreshLimit): void {
  if (limit.max < 1 || limit.windowMs <= 0) {
    throw new FixConfigError('INVALID_REFRESH_LIMIT', 'refreshLimit needs max >= 1 and windowMs > 0');
  }
}

/** Our own throttle refused a refresh: nobody may try before `resetAt`. */
export function refreshThrottled(limit: RefreshLimit, resetAt: Date): WaitUntilError {
  return new WaitUntilError(
    'REFRESH_THROTTLED',
    `Zoho token refresh refused locally: ${limit.max} refreshes in ${Math.round(limit.windowMs / 1000)} s ` +
      "already used (Zoho's limit is 10 per 10 minutes per refresh token)",
    resetAt,
  );
}

export type Reservation = { granted: true } | { granted: false; resetAt: Date };

export interface RefreshBudget {
  /** Takes a slot for one refresh attempt (`member` names it), or says when the next slot frees up. */
  reserve(refreshFp: string, member: string): Promise<Reservation>;
  /** Gives back the slot of an attempt that never reached Zoho. */
  giveBack(refreshFp: string, member: string): Promise<void>;
  /** Zoho itself throttled us: every process is refused until `until`. */
  blockUntil(refreshFp: string, until: Date, nowMs: number): Promise<void>;
  /** Attempts in the current window, and when refreshing is possible again if it is not now. */
  usage(refreshFp: string): Promise<{ refreshesInWindow: number; throttledUntil: Date | null }>;
}

/** A sliding-window counter of refresh attempts per refresh token, shared by every process through Redis. */
export function createRefreshBudget(redis: RedisLike, keys: RedisKeys, limit: RefreshLimit): RefreshBudget {
  assertValidLimit(limit);
  return {
    async reserve(refreshFp, member) {
      const [granted, resetAt] = (await guarded(() =>
        redis.eval(
          RESERVE_REFRESH_SCRIPT,
          2,
          keys.window(refreshFp),
          keys.blocked(refreshFp),
          limit.windowMs,
          limit.max,
          member,
        ),
      )) as [number, number, number];
      return Number(granted) === 1 ? { granted: true } : { granted: false, resetAt: new Date(Number(resetAt)) };
    },
    async giveBack(refreshFp, member) {
      await guarded(() => redis.zrem(keys.window(refreshFp), member));
    },
    async blockUntil(refreshFp, until, nowMs) {
      await guarded(() => redis.set(keys.blocked(refreshFp), '1', 'PX', Math.max(1, until.getTime() - nowMs)));
    },
    async usage(refreshFp) {
      const [count, until] = (await guarded(() =>
        redis.eval(
          REFRESH_WINDOW_SCRIPT,
          2,
          keys.window(refreshFp),
          keys.blocked(refreshFp),
          limit.windowMs,
          limit.max,
        ),
      )) as [number, number];
      return {
        refreshesInWindow: Number(count),
        throttledUntil: Number(until) > 0 ? new Date(Number(until)) : null,
      };
    },
  };
}
