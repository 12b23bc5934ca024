import { describe, expect, it } from '@jest/globals';
import { addOutcomes } from './drain.js';
import { type BatchOutcome, EMPTY_OUTCOME } from './sync-batch.js';

const outcome = (patch: Partial<BatchOutcome>): BatchOutcome => ({ ...EMPTY_OUTCOME, ...patch });

describe('addOutcomes', () => {
  it('adds every count of two batches', () => {
    const a = outcome({ claimed: 5, synced: 3, failed: 1, retrying: 1, released: 0, zohoCalls: 2 });
    const b = outcome({ claimed: 4, synced: 1, failed: 0, retrying: 2, released: 1, zohoCalls: 3 });
    expect(addOutcomes(a, b)).toEqual({
      claimed: 9,
      synced: 4,
      failed: 1,
      retrying: 3,
      released: 1,
      zohoCalls: 5,
      nextRetryAt: null,
    });
  });

  it('keeps the earliest retry time of the two, whichever has one', () => {
    const early = new Date('2026-12-01T10:00:00Z');
    const late = new Date('2026-12-01T11:00:00Z');
    expect(addOutcomes(outcome({ nextRetryAt: late }), outcome({ nextRetryAt: early }))).toMatchObject({
      nextRetryAt: early,
    });
    expect(addOutcomes(outcome({ nextRetryAt: early }), outcome({ nextRetryAt: late })).nextRetryAt).toEqual(early);
    expect(addOutcomes(outcome({}), outcome({ nextRetryAt: late })).nextRetryAt).toEqual(late);
    expect(addOutcomes(outcome({ nextRetryAt: late }), outcome({})).nextRetryAt).toEqual(late);
  });

  it('is neutral with the empty outcome, which it leaves untouched', () => {
    const before = { ...EMPTY_OUTCOME };
    const a = outcome({ claimed: 2, synced: 2, zohoCalls: 1, nextRetryAt: new Date('2026-12-01T10:00:00Z') });
    expect(addOutcomes(EMPTY_OUTCOME, a)).toEqual(a);
    expect(addOutcomes(a, EMPTY_OUTCOME)).toEqual(a);
    expect(EMPTY_OUTCOME).toEqual(before);
  });
});
