import { describe, expect, it } from '@jest/globals';
import { backoffDelayMs, planWriteRounds, splitSamePersonIntoRounds, zohoWriteFor } from './plan.js';

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

describe('zohoWriteFor', () => {
  it('writes a lead with a known Zoho record by id, and only a new person through the upsert', () => {
    expect(zohoWriteFor({ zoho_id: '4876876000000424001' })).toBe('update');
    expect(zohoWriteFor({ zoho_id: null })).toBe('upsert');
    expect(zohoWriteFor({ zoho_id: '' })).toBe('upsert');
  });
});

describe('planWriteRounds', () => {
  type Item = { n: number; write: 'update' | 'upsert'; key: string };
  const item = (n: number, write: Item['write'], key: string): Item => ({ n, write, key });
  const plan = (items: Item[]) =>
    planWriteRounds(
      items,
      (i) => i.write,
      (i) => i.key,
    ).map((round) => round.map((i) => `${i.write} ${i.n}`));

  it('sends updates before upserts, each kind in its own calls, in order', () => {
    const items = [
      item(1, 'upsert', 'a@x'),
      item(2, 'update', 'id:1'),
      item(3, 'upsert', 'b@x'),
      item(4, 'update', 'id:2'),
    ];
    expect(plan(items)).toEqual([
      ['update 2', 'update 4'],
      ['upsert 1', 'upsert 3'],
    ]);
  });

  it('puts a record (updates) or a person (upserts) at most once into each call', () => {
    const items = [
      item(1, 'update', 'id:1'),
      item(2, 'update', 'id:1'),
      item(3, 'upsert', 'a@x'),
      item(4, 'upsert', 'A@x'),
    ];
    expect(plan(items)).toEqual([['update 1'], ['update 2'], ['upsert 3'], ['upsert 4']]);
  });

  it('plans nothing for no items', () => {
    expect(plan([])).toEqual([]);
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
