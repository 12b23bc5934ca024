/**
 * Pure decisions for transient failures: when a lead has been retried long enough (the retry
 * horizon), and the circuit breaker that waits out a Zoho-wide outage as a whole.
 *
 * Why a breaker: when every call fails the same way (Zoho down, DNS gone, its token endpoint
 * unreachable), retrying lead by lead sends one call per batch per backoff step for nothing and
 * makes each lead's wait depend on its own luck. Instead the first failed call opens the
 * breaker: the sync pauses for a growing, capped, jittered interval, then lets one probe batch
 * through (half-open); the probe's success closes it and the sync resumes at full speed.
 */
import {
  ConcurrencyLimitError,
  FixConfigError,
  ReAuthorizeError,
  RejectedRequestError,
  WaitUntilError,
} from '@leadsync/zoho-client';
import { backoffDelayMs } from './plan.js';

/** The breaker as every worker shares it; null while closed. */
export interface BreakerState {
  /** Whole calls that failed in a row, each after the previous probe time. */
  failures: number;
  /** Epoch ms from which one probe batch may go. */
  probeAt: number;
}

export type BreakerPhase = 'closed' | 'open' | 'half-open';

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

export function breakerPhase(state: BreakerState | null, now: number): BreakerPhase {
  if (!state) return 'closed';
  return now < state.probeAt ? 'open' : 'half-open';
}

/**
 * A whole call failed transiently. While the breaker is already open the state stands: calls
 * that were in flight when it opened say nothing new and must not stretch the wait. Otherwise
 * (closed, or a failed probe) the next probe is one backoff step further out.
 */
export function tripBreaker(
  state: BreakerState | null,
  now: number,
  backoff: Backoff,
  random: () => number = Math.random,
): BreakerState {
  if (state && breakerPhase(state, now) === 'open') return state;
  const failures = (state?.failures ?? 0) + 1;
  return { failures, probeAt: now + backoffDelayMs(failures, backoff.baseMs, backoff.maxMs, random) };
}

/**
 * Whether a failed Zoho call says Zoho (or the way to it) is failing as a whole, so the breaker
 * should open: network errors, timeouts, 5xx, an unreachable token endpoint, and anything
 * unexpected. Not: a request Zoho refused as such (its leads fail), a 429 or our refresh
 * throttle (they name their own wait), or a problem only an operator can fix.
 */
export function isOutage(err: unknown): boolean {
  return !(
    // a concurrency 429 is Zoho answering, busy: the pressure control backs off, not the breaker
    err instanceof ConcurrencyLimitError ||
    err instanceof RejectedRequestError ||
    err instanceof WaitUntilError ||
    err instanceof ReAuthorizeError ||
    err instanceof FixConfigError
  );
}

/** Whether a lead whose run of transient failures began at `firstFailedAt` has been retried long enough. */
export function horizonReached(firstFailedAt: string | Date | null, now: number, horizonMs: number): boolean {
  const since = firstFailedAt === null ? now : new Date(firstFailedAt).getTime();
  return now - since >= horizonMs;
}
