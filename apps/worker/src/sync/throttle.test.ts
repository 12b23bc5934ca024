import { describe, expect, it } from '@jest/globals';
import {
  afterCollision,
  afterSuccess,
  creditPauseMs,
  creditVerdict,
  DEFAULT_THROTTLE,
  effectiveConcurrency,
  initialConcurrency,
  normalizeConcurrency,
  type ThrottleSettings,
} from './throttle.js';

const S: ThrottleSettings = { ...DEFAULT_THROTTLE, max: 8, reserve: 1000, creditsProbeMs: 3_600_000 };
const T0 = 1_000_000;
const mid = () => 0.5;

describe('AIMD concurrency', () => {
  it('halves on a concurrency 429 down to 1, once per burst', () => {
    let state = initialConcurrency(S, T0);
    const limits: number[] = [];
    for (let i = 0; i < 5; i++) {
      state = afterCollision(state, S, T0 + i * S.decreaseCooldownMs, mid).state;
      limits.push(state.limit);
    }
    expect(limits).toEqual([4, 2, 1, 1, 1]);
    // four 429s of the same burst (answers to calls sent before the decrease): one decrease
    let burst = initialConcurrency(S, T0);
    const burstWaits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const next = afterCollision(burst, S, T0 + i * 10, mid);
      burstWaits.push(next.retryInMs);
      burst = next.state;
    }
    expect(burst.limit).toBe(4);
    // nor do they stretch each other's backoff: each waits about the first second
    expect(burstWaits).toEqual([1000, 1000, 1000, 1000]);
  });

  it('backs the refused batch off for about a second, doubling while 429s repeat, capped, with jitter', () => {
    let state = initialConcurrency(S, T0);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const next = afterCollision(state, S, T0 + i * 5000, mid);
      waits.push(next.retryInMs);
      state = next.state;
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(afterCollision(initialConcurrency(S, T0), S, T0, () => 0).retryInMs).toBe(500);
    expect(afterCollision(initialConcurrency(S, T0), S, T0, () => 0.999).retryInMs).toBe(1499);
    expect(state.backoffUntil).toBe(T0 + 7 * 5000 + 30000);
  });

  it('raises by one per success, no faster than one step per increaseAfterMs, up to max', () => {
    let state = { ...initialConcurrency(S, T0), limit: 1, changedAt: T0 };
    state = afterSuccess(state, S, T0 + 100);
    expect(state.limit).toBe(1);
    const limits: number[] = [];
    for (let i = 1; i <= 10; i++) {
      state = afterSuccess(state, S, T0 + i * S.increaseAfterMs);
      limits.push(state.limit);
    }
    expect(limits).toEqual([2, 3, 4, 5, 6, 7, 8, 8, 8, 8]);
  });

  it('a success ends the run of 429s, so the next backoff starts at a second again', () => {
    let state = initialConcurrency(S, T0);
    state = afterCollision(state, S, T0, mid).state;
    state = afterCollision(state, S, T0 + 2000, mid).state;
    state = afterSuccess(state, S, T0 + 2100);
    expect(state.collisions).toBe(0);
    expect(afterCollision(state, S, T0 + 4000, mid).retryInMs).toBe(1000);
  });

  it('re-bases stored state on this process settings', () => {
    const stored = { ...initialConcurrency({ ...S, max: 20 }, T0), limit: 16 };
    expect(normalizeConcurrency(stored, S, T0)).toMatchObject({ limit: 8, max: 8 });
    expect(normalizeConcurrency(null, S, T0)).toMatchObject({ limit: 8, collisions: 0 });
  });
});

describe('credits and the reserve', () => {
  it('full speed without a header or well above the reserve, slower approaching it, waits at it', () => {
    expect(creditVerdict(null, S)).toEqual({ kind: 'run', ceiling: 8 });
    expect(creditVerdict(50_000, S)).toEqual({ kind: 'run', ceiling: 8 });
    expect(creditVerdict(2000, S)).toEqual({ kind: 'run', ceiling: 8 });
    expect(creditVerdict(1500, S)).toEqual({ kind: 'run', ceiling: 4 });
    expect(creditVerdict(1001, S)).toEqual({ kind: 'run', ceiling: 1 });
    expect(creditVerdict(1000, S)).toEqual({ kind: 'wait' });
    expect(creditVerdict(0, S)).toEqual({ kind: 'wait' });
    // no reserve: only an empty budget waits
    expect(creditVerdict(1, { max: 8, reserve: 0 })).toEqual({ kind: 'run', ceiling: 8 });
    expect(creditVerdict(0, { max: 8, reserve: 0 })).toEqual({ kind: 'wait' });
  });

  it('the concurrency applied is the lower of AIMD and credits', () => {
    const state = { ...initialConcurrency(S, T0), limit: 2 };
    expect(effectiveConcurrency(state, { kind: 'run', ceiling: 8 })).toBe(2);
    expect(effectiveConcurrency({ ...state, limit: 8 }, { kind: 'run', ceiling: 3 })).toBe(3);
    expect(effectiveConcurrency(state, { kind: 'wait' })).toBe(0);
  });

  it('a credit pause lasts the probe interval, doubled per repeat up to 4×', () => {
    const h = 3_600_000;
    expect([0, 1, 2, 3, 10].map((n) => creditPauseMs(n, S) / h)).toEqual([1, 2, 4, 4, 4]);
  });
});
