import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type SyncHarness, startSyncHarness } from '../support/sync-harness.js';

/** Leads of both sources flow into the Zoho simulator exactly once, with the right fields. */
describe('sync: stored leads reach Zoho exactly once', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startSyncHarness('sync-flow', { sim: { latencyMs: 5, jitterMs: 5 } });
  });
  afterAll(() => h.teardown());

  it('drains 300 leads of both sources in batches of at most 100', async () => {
    const ids = await h.storeLeads(300, (i) =>
      i % 2
        ? {
            source: 'quote_form',
            fields: { name: `Quote Person${i}`, email: `q${i}@example.com`, company: 'Acme', message: `msg ${i}` },
          }
        : {
            source: 'chatbot',
            fields: {
              name: `Chat Person${i}`,
              phone: `+1 555 010 ${String(i).padStart(4, '0')}`,
              email: i % 4 === 0 ? `c${i}@example.com` : null,
              transcript: [
                { role: 'user', content: `hello ${i}` },
                { role: 'bot', content: 'hi!' },
              ],
              session_id: `s-${i}`,
            },
          },
    );
    await h.startWorker();
    await h.triggerDrain();
    await h.waitForStatus('synced', 300);

    const counters = h.sim.control.counters();
    expect(counters.records).toBe(300);
    expect(counters.duplicateEmails).toBe(0);
    expect(Math.max(...counters.recordsPerCall)).toBeLessThanOrEqual(100);
    // 300 leads: email and phone-only leads go in separate calls, so a handful of calls, not hundreds
    expect(counters.recordsPerCall.length).toBeLessThanOrEqual(8);

    const records = h.sim.control.records();
    const quote = records.find((r) => r.Email === 'q1@example.com');
    expect(quote).toMatchObject({ First_Name: 'Quote', Last_Name: 'Person1', Company: 'Acme', Description: 'msg 1' });
    const chat = records.find((r) => r.Email === 'c0@example.com');
    expect(String(chat?.Description)).toContain('hello 0');

    const lead = await h.db.leads.get(ids[1]!);
    expect(lead).toMatchObject({ status: 'synced', attempts: 1, last_error_code: null });
    expect(lead?.zoho_id).toMatch(/^\d{18,19}$/);
    expect((await h.db.attempts.forLead(ids[1]!))[0]).toMatchObject({ outcome: 'synced', zoho_id: lead?.zoho_id });
  });

  it('sends a second lead of the same person as an update of the same Zoho record', async () => {
    const [first] = await h.storeLeads(1, () => ({
      fields: { name: 'Same Person', email: 'same@example.com', message: 'one' },
    }));
    const [second] = await h.storeLeads(1, () => ({
      fields: { name: 'Same Person', email: 'SAME@example.com', message: 'two' },
    }));
    await h.triggerDrain();
    await h.waitForStatus('synced', 302);
    const a = await h.db.leads.get(first!);
    const b = await h.db.leads.get(second!);
    expect(a?.zoho_id).toBe(b?.zoho_id);
    expect(h.sim.control.counters().duplicateEmails).toBe(0);
  });

  it('marks only the record Zoho rejects as failed, with Zoho code, and syncs the rest of its batch', async () => {
    h.sim.control.rejectRecords({ field: 'Last_Name', pattern: 'Rejectme' });
    await h.storeLeads(10, (i) => ({
      fields: { name: i === 3 ? 'Bad Rejectme' : `Good Person${i}`, email: `batch${i}@example.com` },
    }));
    await h.triggerDrain();
    await h.waitForStatus('failed', 1);
    await h.waitForStatus('synced', 302 + 9);
    const [failedId] = await h.db.leads.idsByStatus('failed');
    const failed = await h.db.leads.get(failedId!);
    expect(failed).toMatchObject({ status: 'failed', last_error_code: 'INVALID_DATA' });
    // not retried automatically: one attempt
    expect(failed?.attempts).toBe(1);
    h.sim.control.clearRejections();
  });
});
