import { describe, expect, it } from '@jest/globals';
import { type Job, UnrecoverableError } from 'bullmq';
import {
  attentionProcessor,
  attentionReason,
  leadFailedPayload,
  leadSpamPayload,
  type RetryLeadOutcome,
} from './attention.js';
import { JOBS } from './jobs.js';

const ID = '0b9a7f3e-6d2c-4c1e-9a57-1f0e2d3c4b5a';
const lead = {
  id: ID,
  source: 'quote_form',
  name: 'Ada',
  email: 'ada@example.com',
  attempts: 2,
  created_at: '2026-12-01T10:00:00.000Z',
};
const now = new Date('2026-12-02T03:00:00.000Z');

function job(name: string, data: unknown, attemptsMade: number): Job {
  return { name, data, attemptsMade } as unknown as Job;
}

describe('attention payloads and reasons', () => {
  it("carry the lead's details and Zoho's code and message", () => {
    const data = leadFailedPayload(lead, { code: 'INVALID_DATA', message: 'invalid data (Email)' }, now);
    expect(data).toEqual({
      leadId: ID,
      source: 'quote_form',
      name: 'Ada',
      email: 'ada@example.com',
      phone: null,
      createdAt: '2026-12-01T10:00:00.000Z',
      attempts: 2,
      error: { code: 'INVALID_DATA', message: 'invalid data (Email)' },
      failedAt: '2026-12-02T03:00:00.000Z',
    });
    expect(attentionReason(job(JOBS.leadFailed.name, data, 0))).toBe('INVALID_DATA: invalid data (Email)');
  });

  it('give the spam reasons, or say none was recorded', () => {
    const data = leadSpamPayload(lead, ['honeypot filled', 'filled in 40 ms'], now);
    expect(attentionReason(job(JOBS.leadSpam.name, data, 0))).toBe('held as spam: honeypot filled, filled in 40 ms');
    expect(attentionReason(job(JOBS.leadSpam.name, leadSpamPayload(lead, []), 0))).toBe(
      'held as spam: no reason recorded',
    );
  });
});

describe('attentionProcessor', () => {
  const data = leadFailedPayload(lead, { code: 'INVALID_DATA', message: 'bad' }, now);

  it('fails the first run for good, with the reason, and retries nothing', async () => {
    const retried: string[] = [];
    const process = attentionProcessor(async (id) => {
      retried.push(id);
      return { retried: true, attentionCleared: 0, syncStarted: true };
    });
    const run = process(job(JOBS.leadFailed.name, data, 0));
    await expect(run).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(process(job(JOBS.leadFailed.name, data, 0))).rejects.toThrow('INVALID_DATA: bad');
    expect(retried).toEqual([]);
  });

  it.each<[RetryLeadOutcome, string]>([
    [{ retried: true, attentionCleared: 0, syncStarted: true }, 'released to pending; sync started'],
    [{ retried: true, attentionCleared: 0, syncStarted: false }, 'released to pending; the sweep or drain syncs it'],
    [{ retried: false }, 'nothing to do'],
  ])('on a later run (Retry) retries the lead and says what it did: %j', async (outcome, action) => {
    const retried: string[] = [];
    const process = attentionProcessor(async (id) => {
      retried.push(id);
      return outcome;
    });
    await expect(process(job(JOBS.leadFailed.name, data, 1))).resolves.toMatchObject({ leadId: ID, action });
    expect(retried).toEqual([ID]);
  });
});
