import { describe, expect, it } from '@jest/globals';
import { backoffDelayMs, splitSamePersonIntoRounds } from './plan.js';

describe('splitSamePersonIntoRounds', () => {
  it('keeps a batch of distinct people in one round, in order', () => {
    expect(splitSamePersonIntoRounds(['a', 'b', 'c'], (x) => x)).toEqual([['a', 'b', 'c']]);
  });

  it("moves a person's second and third lead into later rounds, case-insensitively", () => {
    const items = [
      { id: 1, email: 'A@x.com' },
      { id: 2, email: 'b@x.com' },
      { id: 3, email: 'a@x.com' },
      { id: 4, email: 'a@X.com' },
      { id: 5, email: 'c@x.com' },
    ];
    const rounds = splitSamePersonIntoRounds(items, (i) => i.email);
    expect(rounds.map((r) => r.map((i) => i.id))).toEqual([[1, 2, 5], [3], [4]]);
  });

  it('returns no rounds for no items', () => {
    expect(splitSamePersonIntoRounds([], String)).toEqual([]);
  });
});

describe('backoffDelayMs', () => {
  it('doubles the ceiling per attempt and stays between half and all of it', () => {
    expect(backoffDelayMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelayMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelayMs(3, 1000, 60_000, () => 0)).toBe(2000);
    expect(backoffDelayMs(3, 1000, 60_000, () => 1)).toBe(4000);
  });

  it('is capped', () => {
    expect(backoffDelayMs(30, 1000, 60_000, () => 1)).toBe(60_000);
  });

  it('spreads retries of many leads instead of synchronising them', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(4, 1000, 60_000)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
