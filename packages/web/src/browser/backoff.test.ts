import { describe, expect, it } from '@jest/globals';
import { parseRetryAfter, retryDelay } from './backoff.js';

const policy = { baseMs: 1000, maxMs: 60_000 };

describe('retryDelay', () => {
  it('doubles per failure, with jitter between half and all of the step', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(n, policy, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((n) => retryDelay(n, policy, () => 0))).toEqual([500, 1000, 2000, 4000]);
  });

  it('stops growing at the cap', () => {
    expect(retryDelay(30, policy, () => 1)).toBe(60_000);
    expect(retryDelay(1000, policy, () => 1)).toBe(60_000);
  });

  it("waits at least the server's Retry-After, but never past the cap", () => {
    expect(retryDelay(1, policy, () => 0, 5000)).toBe(5000);
    expect(retryDelay(4, policy, () => 1, 100)).toBe(8000);
    expect(retryDelay(1, policy, () => 0, 86_400_000)).toBe(60_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
