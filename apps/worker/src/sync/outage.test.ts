import { describe, expect, it } from '@jest/globals';
import {
  ConcurrencyLimitError,
  CreditsExhaustedError,
  FixConfigError,
  ReAuthenticateError,
  ReAuthorizeError,
  RejectedRequestError,
  RetryLaterError,
  WaitUntilError,
} from '@leadsync/zoho-client';
import { breakerPhase, horizonReached, isOutage, tripBreaker } from './outage.js';

const backoff = { baseMs: 5_000, maxMs: 15 * 60_000 };
const HOUR = 3_600_000;

describe('the outage breaker', () => {
  it('is closed without state, open until the probe time, half-open from it', () => {
    expect(breakerPhase(null, 0)).toBe('closed');
    expect(breakerPhase({ failures: 1, probeAt: 1000 }, 999)).toBe('open');
    expect(breakerPhase({ failures: 1, probeAt: 1000 }, 1000)).toBe('half-open');
  });

  it('opens on the first failed call, between half and all of the base delay', () => {
    expect(tripBreaker(null, 10_000, backoff, () => 0)).toEqual({ failures: 1, probeAt: 12_500 });
    expect(tripBreaker(null, 10_000, backoff, () => 1)).toEqual({ failures: 1, probeAt: 15_000 });
  });

  it('doubles the wait with every failed probe, up to the cap', () => {
    let state = tripBreaker(null, 0, backoff, () => 1);
    const waits: number[] = [];
    let now = 0;
    for (let i = 0; i < 12; i++) {
      now = state.probeAt; // the probe goes, and fails
      const next = tripBreaker(state, now, backoff, () => 1);
      waits.push(next.probeAt - now);
      state = next;
    }
    expect(waits.slice(0, 4)).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(Math.max(...waits)).toBe(backoff.maxMs);
    expect(waits.at(-1)).toBe(backoff.maxMs);
  });

  it('is not pushed further out by calls that were in flight when it opened', () => {
    const open = tripBreaker(null, 0, backoff, () => 1);
    expect(tripBreaker(open, 1000, backoff, () => 1)).toBe(open);
  });

  it('spreads the probe times of separately opened breakers (jitter)', () => {
    const times = new Set(
      Array.from({ length: 50 }, () => tripBreaker({ failures: 5, probeAt: 0 }, 0, backoff).probeAt),
    );
    expect(times.size).toBeGreaterThan(10);
  });

  it('makes a bounded number of probes in a 2-hour outage with the defaults', () => {
    // worst case: every jitter draws the shortest wait
    let state = tripBreaker(null, 0, backoff, () => 0);
    let probes = 0;
    while (state.probeAt < 2 * HOUR) {
      probes += 1;
      state = tripBreaker(state, state.probeAt, backoff, () => 0);
    }
    expect(probes).toBeLessThanOrEqual(25);
  });
});

describe('isOutage', () => {
  it.each([
    [new RetryLaterError('INTERNAL_ERROR', '500'), true],
    [new RetryLaterError('NETWORK', 'getaddrinfo ENOTFOUND'), true],
    [new ReAuthenticateError('INVALID_TOKEN', 'twice'), true],
    [new TypeError('unexpected'), true],
    [new RejectedRequestError('INVALID_DATA', 'bad body'), false],
    [new WaitUntilError('TOO_MANY_REQUESTS', '429', new Date()), false],
    // a 429 for concurrency is a RetryLaterError, but Zoho answered: the pressure control's, not the breaker's
    [new ConcurrencyLimitError('TOO_MANY_REQUESTS', '429', new Date(), 500), false],
    [new CreditsExhaustedError('TOO_MANY_REQUESTS', '429', new Date(), 0), false],
    [new ReAuthorizeError('invalid_code', 'revoked'), false],
    [new FixConfigError('OAUTH_SCOPE_MISMATCH', 'scope'), false],
  ])('%p → %p', (err, expected) => {
    expect(isOutage(err)).toBe(expected);
  });
});

describe('horizonReached', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');
  it('counts from the first failure, not from attempts', () => {
    expect(horizonReached('2026-12-01T12:00:01Z', now, 72 * HOUR)).toBe(false);
    expect(horizonReached('2026-12-01T12:00:00Z', now, 72 * HOUR)).toBe(true);
    expect(horizonReached(new Date(now - 73 * HOUR), now, 72 * HOUR)).toBe(true);
  });

  it('is not reached by a first failure (nothing began yet), unless the horizon is zero', () => {
    expect(horizonReached(null, now, 72 * HOUR)).toBe(false);
    expect(horizonReached(null, now, 0)).toBe(true);
  });
});
