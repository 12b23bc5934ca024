import { describe, expect, it } from '@jest/globals';
import { SYNC_DEDUP } from '@leadsync/queue';
import { drainOf, drainPercent, planFollowUps, skipInMode } from './plan-jobs.js';

describe('skipInMode', () => {
  it('runs everything in immediate mode', () => {
    for (const reason of ['intake', 'sweep', 'retry', 'daily', 'admin', 'cli', 'startup', 'follow-up'] as const) {
      expect(skipInMode('immediate', { reason })).toBeNull();
    }
  });

  it("in daily mode runs the daily drain, operators' drains and the daily drain's own follow-ups and retries", () => {
    expect(skipInMode('daily', { reason: 'daily' })).toBeNull();
    expect(skipInMode('daily', { reason: 'admin' })).toBeNull();
    expect(skipInMode('daily', { reason: 'cli' })).toBeNull();
    expect(skipInMode('daily', { reason: 'follow-up', mode: 'daily' })).toBeNull();
    expect(skipInMode('daily', { reason: 'retry', mode: 'daily' })).toBeNull();
  });

  it('in daily mode skips, saying why, what immediate mode left behind', () => {
    for (const data of [
      { reason: 'intake' as const, mode: 'immediate' as const },
      { reason: 'sweep' as const },
      { reason: 'startup' as const },
      { reason: 'retry' as const },
      { reason: 'follow-up' as const, mode: 'immediate' as const },
      { reason: 'follow-up' as const },
    ]) {
      expect(skipInMode('daily', data)).toMatch(/^daily mode: a "(intake|sweep|startup|retry|follow-up)" job/);
    }
  });
});

describe('planFollowUps', () => {
  const base = { jobId: '12', mode: 'immediate' as const, batchSize: 100, concurrency: 8 };

  it('starts nothing after a short or empty batch', () => {
    expect(planFollowUps({ ...base, data: { reason: 'sweep' }, asked: 100, claimed: 40, dueAfter: 500 })).toEqual([]);
    expect(planFollowUps({ ...base, data: { reason: 'sweep' }, asked: 100, claimed: 0, dueAfter: 500 })).toEqual([]);
  });

  it('fills the concurrency from the first job of a drain, no more chains than batches due', () => {
    const few = planFollowUps({ ...base, data: { reason: 'sweep' }, asked: 100, claimed: 100, dueAfter: 250 });
    expect(few.map((j) => j.data.chain)).toEqual([0, 1, 2]);
    const many = planFollowUps({ ...base, data: { reason: 'sweep' }, asked: 100, claimed: 100, dueAfter: 100_000 });
    expect(many).toHaveLength(8);
    expect(many[5]).toEqual({
      data: { reason: 'follow-up', origin: 'sweep', mode: 'immediate', chain: 5 },
      opts: { deduplication: { id: SYNC_DEDUP.chain(5), keepLastIfActive: true } },
    });
    // a full batch after which the count found nothing (another worker took the rest)
    expect(planFollowUps({ ...base, data: { reason: 'sweep' }, asked: 100, claimed: 100, dueAfter: 0 })).toEqual([]);
  });

  it('continues only its own chain from a follow-up', () => {
    const next = planFollowUps({
      ...base,
      data: { reason: 'follow-up', origin: 'intake', mode: 'immediate', chain: 3 },
      asked: 100,
      claimed: 100,
    });
    expect(next).toEqual([
      {
        data: { reason: 'follow-up', origin: 'intake', mode: 'immediate', chain: 3 },
        opts: { deduplication: { id: SYNC_DEDUP.chain(3), keepLastIfActive: true } },
      },
    ]);
  });

  it('gives followed drains job ids of their own, derived from the first job (no ":")', () => {
    const first = planFollowUps({
      ...base,
      jobId: 'repeat:daily-drain:1700000000000',
      mode: 'daily',
      data: { reason: 'daily' },
      asked: 100,
      claimed: 100,
      dueAfter: 150,
    });
    expect(first.map((j) => j.opts.jobId)).toEqual([
      'repeat_daily-drain_1700000000000-c0-1',
      'repeat_daily-drain_1700000000000-c1-1',
    ]);
    expect(first[1]?.data).toEqual({
      reason: 'follow-up',
      origin: 'daily',
      mode: 'daily',
      drain: 'repeat_daily-drain_1700000000000',
      chain: 1,
      seq: 1,
      due: 250, // the 100 it claimed and the 150 still due: what its progress is measured against
    });
    expect(planFollowUps({ ...base, mode: 'daily', data: first[1]!.data, asked: 100, claimed: 100 })[0]?.data.due).toBe(
      250,
    );
    const second = planFollowUps({ ...base, mode: 'daily', data: first[1]!.data, asked: 100, claimed: 100 });
    expect(second.map((j) => j.opts.jobId)).toEqual(['repeat_daily-drain_1700000000000-c1-2']);
    // run again (Zoho paused it): ids its first run's follow-ups cannot already hold
    const again = planFollowUps({ ...base, mode: 'daily', data: first[1]!.data, asked: 100, claimed: 100, attempt: 2 });
    expect(again.map((j) => j.opts.jobId)).toEqual(['repeat_daily-drain_1700000000000-c1-2-r2']);
  });

  it('splits what is left of a limit between the chains and stops when it is used up', () => {
    const jobs = planFollowUps({
      ...base,
      jobId: 'drain-x',
      data: { reason: 'admin', limit: 350 },
      asked: 100,
      claimed: 100,
      dueAfter: 10_000,
    });
    expect(jobs.map((j) => j.data.limit)).toEqual([84, 83, 83]);
    expect(jobs.map((j) => j.data.limit ?? 0).reduce((a, b) => a + b)).toBe(250);
    expect(
      planFollowUps({ ...base, data: { reason: 'admin', limit: 100 }, asked: 100, claimed: 100, dueAfter: 9 }),
    ).toEqual([]);
    // a chain asked for its last 30 and got them: done
    expect(
      planFollowUps({
        ...base,
        data: { reason: 'follow-up', origin: 'cli', limit: 30, drain: 'd', chain: 0, seq: 2 },
        asked: 30,
        claimed: 30,
      }),
    ).toEqual([]);
  });
});

describe('drain progress', () => {
  it('belongs to drains followed as a whole: their first job names them, follow-ups carry the name', () => {
    expect(drainOf({ reason: 'daily' }, 'repeat:daily-drain:17')).toBe('repeat_daily-drain_17');
    expect(drainOf({ reason: 'admin' }, '42')).toBe('42');
    expect(drainOf({ reason: 'follow-up', drain: '42' }, '42-c3-7')).toBe('42');
    for (const reason of ['intake', 'sweep', 'retry', 'startup'] as const) expect(drainOf({ reason }, '9')).toBeNull();
    expect(drainOf({ reason: 'follow-up' }, '9')).toBeNull(); // a shared chain's follow-up
  });

  it('is the share of the leads due at the start handled so far, at most 100', () => {
    expect(drainPercent(0, 1000)).toBe(0);
    expect(drainPercent(370, 1000)).toBe(37);
    expect(drainPercent(999, 1000)).toBe(99);
    expect(drainPercent(1200, 1000)).toBe(100); // leads that arrived meanwhile
    expect(drainPercent(40, undefined)).toBe(100); // one short batch was the whole drain
    expect(drainPercent(0, 0)).toBe(100);
  });
});
