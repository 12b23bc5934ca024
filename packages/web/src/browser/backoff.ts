/** How long to wait before the next attempt; pure so it can be tested without a browser. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 5 * 60_000 };

/**
 * Exponential with jitter in [½, 1] of the step, so many visitors who lost the same outage do not
 * come back in lockstep. A server's Retry-After is a floor (the API asks for it on 429 and 503),
 * still capped so a bad header cannot park a lead for days.
 */
export function retryDelay(
  failures: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
  retryAfterMs?: number,
): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  const jittered = step / 2 + (step / 2) * random();
  return Math.round(Math.min(policy.maxMs, Math.max(jittered, retryAfterMs ?? 0)));
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
