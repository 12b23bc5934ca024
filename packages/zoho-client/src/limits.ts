/**
 * Zoho's limits and how long leadsync waits once it hits one: the token endpoint's 10-minute
 * window, and the CRM API's 429, which Zoho sends both for too many calls in flight and for the
 * day's API credits used up (docs/zoho-crm.md §8). Pure, unit-tested beside it.
 */

/**
 * Zoho blocks token creation for the rest of a 10-minute window once a limit is exceeded
 * (docs/zoho-crm.md §2.6).
 */
export const ZOHO_TOKEN_WINDOW_MS = 10 * 60_000;

/**
 * How long after a 429 for used-up credits the next call is worth trying. Zoho documents no
 * reset header: credits are counted over a rolling 24 hours and each call's credits are freed 24 h
 * after it was made, so when enough come back depends on when the org (all its tools) spent
 * them — unknowable here. An hour bounds both sides: one probe call an hour costs at most 10
 * credits (24 × 10 a day), and the sync is back within an hour of credits returning. The worker
 * doubles it on repeated exhaustion up to CREDITS_PROBE_MAX_FACTOR times (docs/zoho-crm.md §8).
 */
export const DEFAULT_CREDITS_PROBE_MS = 60 * 60_000;
export const CREDITS_PROBE_MAX_FACTOR = 4;

/** The first retry after a concurrency 429: a call in flight ends within about Zoho's latency. */
export const CONCURRENCY_RETRY_MS = 1000;

/** Zoho's header with the org's credits left; only sent once half the day's credits are used. */
export const CREDITS_REMAINING_HEADER = 'x-api-credits-remaining';

/** What a CRM call costs in API credits: writes 1 per 10 records (max 10), anything else 1. */
export function callCost(records?: number): number {
  if (records === undefined) return 1;
  return Math.min(10, Math.max(1, Math.ceil(records / 10)));
}

/** X-API-CREDITS-REMAINING as a number, or null when absent (under half the day's credits used) or unreadable. */
export function creditsRemainingFromHeaders(headers: Headers | undefined): number | null {
  const raw = headers?.get(CREDITS_REMAINING_HEADER);
  if (raw === null || raw === undefined || raw.trim() === '') return null;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? Math.floor(value) : null;
}

/** What the decision after a 429 is made from. */
export interface RateLimitWaitOptions {
  /** The 429's headers: X-API-CREDITS-REMAINING, and a reset time should Zoho ever send one. */
  headers?: Headers;
  now?: number;
  /** Returns [0, 1); injectable for tests. */
  random?: () => number;
  /** Wait after a 429 for used-up credits (DEFAULT_CREDITS_PROBE_MS). */
  creditsProbeMs?: number;
  /** Credits the refused call would have cost (callCost); default 1. */
  callCost?: number;
  /**
   * The client's last X-API-CREDITS-REMAINING, for a 429 that carries none: Zoho does not document
   * whether it sends the header on a 429, and a known-empty budget must not read as a collision.
   */
  knownCreditsRemaining?: number | null;
}

/** Reads a reset time from Retry-After or the (old-API) X-RATELIMIT-RESET header, if either is there. */
export function resetTimeFromHeaders(headers: Headers | undefined, now: number): Date | null {
  if (!headers) return null;
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null && retryAfter.trim() !== '') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return new Date(now + seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return new Date(Math.max(date, now));
  }
  const reset = headers.get('x-ratelimit-reset');
  if (reset !== null && reset.trim() !== '') {
    const value = Number(reset);
    if (Number.isFinite(value) && value >= 0) {
      if (value > 1e12) return new Date(Math.max(value, now)); // epoch milliseconds
      if (value > 1e9) return new Date(Math.max(value * 1000, now)); // epoch seconds
      return new Date(now + value * 1000); // seconds from now
    }
  }
  return null;
}

export type TooManyRequestsCause =
  | { kind: 'concurrency'; retryAt: Date; creditsRemaining: number | null }
  | { kind: 'credits'; resetAt: Date; creditsRemaining: number };

/**
 * Why Zoho answered 429, from the credits it reports: fewer credits left than the call costs means
 * the day's budget is used up; otherwise (credits left, or no header because under half the day
 * is used) the call collided with Zoho's concurrency limit. Pure.
 */
export function causeOf429(options: RateLimitWaitOptions): TooManyRequestsCause {
  const now = options.now ?? Date.now();
  const random = options.random ?? Math.random;
  const fromHeaders = resetTimeFromHeaders(options.headers, now);
  const reported = creditsRemainingFromHeaders(options.headers);
  const remaining = reported ?? options.knownCreditsRemaining ?? null;
  const cost = options.callCost ?? 1;
  if (remaining !== null && remaining < cost) {
    const probeMs = options.creditsProbeMs ?? DEFAULT_CREDITS_PROBE_MS;
    return { kind: 'credits', resetAt: fromHeaders ?? new Date(now + probeMs), creditsRemaining: remaining };
  }
  // ±50 % jitter, so calls refused together do not collide again together
  const retryAt = fromHeaders ?? new Date(now + Math.round(CONCURRENCY_RETRY_MS * (0.5 + random())));
  return { kind: 'concurrency', retryAt, creditsRemaining: reported };
}
