/**
 * Zoho's limits and how long leadsync waits once it hits one: the token endpoint's 10-minute
 * window and the CRM API's 429, which says neither why (credits or concurrency) nor until when.
 * Pure, unit-tested beside it.
 */

/**
 * Zoho blocks token creation for the rest of a 10-minute window once a limit is exceeded
 * (docs/zoho-crm.md §2.6).
 */
export const ZOHO_TOKEN_WINDOW_MS = 10 * 60_000;

/**
 * Zoho documents no Retry-After for 429 (docs/zoho-crm.md §8): the 429 may mean the 24-hour
 * credit budget or the concurrency cap, and nothing says which. 60 s (+ up to 20 % jitter so a
 * fleet of workers does not come back in lock-step) clears a concurrency burst; for an exhausted
 * budget the caller's growing backoff on repeated 429s takes over.
 */
export const DEFAULT_429_WAIT_MS = 60_000;
const JITTER_FRACTION = 0.2;

/** What the wait after a 429 is computed from. */
export interface RateLimitWaitOptions {
  /** The 429's headers, read for a reset time. */
  headers?: Headers;
  now?: number;
  /** Returns [0, 1); injectable for tests. */
  random?: () => number;
  /** Wait used when a 429 names no reset time. */
  default429WaitMs?: number;
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

/** When to call again after a 429: a reset time the headers name, else the default wait plus jitter. */
export function resetAtAfter429(options: RateLimitWaitOptions): Date {
  const now = options.now ?? Date.now();
  const fromHeaders = resetTimeFromHeaders(options.headers, now);
  if (fromHeaders) return fromHeaders;
  const base = options.default429WaitMs ?? DEFAULT_429_WAIT_MS;
  const random = options.random ?? Math.random;
  return new Date(now + base + Math.floor(random() * base * JITTER_FRACTION));
}
