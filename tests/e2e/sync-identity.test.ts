import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { LeadFields } from '@leadsync/db';
import { waitFor } from '@leadsync/local-stack';
import { type SyncHarness, startSyncHarness } from '../support/sync-harness.js';

/**
 * A lead that already has a Zoho record keeps it: later details of the same chat session are
 * written to that record by id, never matched again by Email or Phone (which would add a second
 * record for the person and move the lead's zoho_id to it).
 */
describe('sync: a lead keeps its Zoho record', () => {
  let h: SyncHarness;
  let session = 0;
  beforeAll(async () => {
    h = await startSyncHarness('sync-identity');
    await h.startWorker();
  });
  afterAll(() => h.teardown());
  // The simulator is shared by the tests of this file (resetting it would also void the worker's
  // tokens), so each test looks only at the records and write calls made since it started.
  let recordsBefore = new Set<unknown>();
  let callsBefore = 0;
  beforeEach(() => {
    h.sim.control.configure({ uniqueFields: [] });
    recordsBefore = new Set(h.sim.control.records().map((r) => r.id));
    callsBefore = h.sim.control.counters().writeCalls.length;
  });
  const records = () => h.sim.control.records().filter((r) => !recordsBefore.has(r.id));
  const writeCalls = () => h.sim.control.counters().writeCalls.slice(callsBefore);

  /** One chat session: the first message, then the same session again with `later`. */
  async function chat(first: LeadFields) {
    session += 1;
    const sessionId = `identity-${session}`;
    const send = async (fields: LeadFields) => {
      const res = await h.db.leads.intake({
        source: 'chatbot',
        fields: { ...fields, session_id: sessionId },
        rawPayload: {},
      });
      await h.triggerDrain();
      return res.id!;
    };
    const id = await send(first);
    const synced = await syncedVersion(id, 1);
    return {
      id,
      zohoId: synced.zoho_id!,
      async later(fields: LeadFields) {
        await send(fields);
        return syncedVersion(id, 2);
      },
    };
  }

  async function syncedVersion(id: string, version: number) {
    await waitFor(
      async () => {
        const lead = await h.db.leads.get(id);
        return lead?.status === 'synced' && lead.content_version === version;
      },
      `lead ${id} synced at version ${version}`,
      30_000,
    );
    return (await h.db.leads.get(id))!;
  }

  for (const phoneUnique of [false, true]) {
    const org = phoneUnique ? 'Phone unique in the org' : 'Phone not unique';
    // every test has its own person: the simulated org is shared by the whole file
    const n = phoneUnique ? 1 : 0;

    it(`phone first, then email: one record, newest details, same zoho_id (${org})`, async () => {
      if (phoneUnique) h.sim.control.configure({ uniqueFields: ['Phone'] });
      const lead = await chat({ name: 'Pat Phonefirst', phone: `+1 555 010${n}` });
      expect(records()).toHaveLength(1);

      const after = await lead.later({ email: `pat.phonefirst${n}@example.com`, company: 'Acme' });

      expect(after.zoho_id).toBe(lead.zohoId);
      const created = records();
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({
        id: lead.zohoId,
        Last_Name: 'Phonefirst',
        Phone: `+1555010${n}`,
        Email: `pat.phonefirst${n}@example.com`,
        Company: 'Acme',
      });
      expect(writeCalls().map((c) => c.endpoint)).toEqual(['upsert', 'update']);
    });

    it(`email corrected: one record with the corrected email, same zoho_id (${org})`, async () => {
      if (phoneUnique) h.sim.control.configure({ uniqueFields: ['Phone'] });
      const lead = await chat({ name: 'Eve Typo', email: `eve.typo${n}@exmaple.com`, phone: `+1 555 020${n}` });

      const after = await lead.later({ email: `eve.typo${n}@example.com` });

      expect(after.zoho_id).toBe(lead.zohoId);
      const created = records();
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({ id: lead.zohoId, Email: `eve.typo${n}@example.com`, Phone: `+1555020${n}` });
    });
  }

  it('known leads of a drain go by id in calls of at most 100 records; no record is added', async () => {
    const n = 130;
    const sessions = Array.from({ length: n }, (_, i) => `identity-bulk-${i}`);
    const intake = (i: number, fields: LeadFields) =>
      h.db.leads.intake({ source: 'chatbot', fields: { ...fields, session_id: sessions[i] }, rawPayload: {} });
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await intake(i, { name: `Bulk ${i}`, phone: `+1 555 9${i}` })).id!);
    await h.triggerDrain();
    await waitFor(async () => records().length === n, `${n} records`, 30_000);
    const first = new Map<string, string | null>();
    await waitFor(
      async () => {
        for (const id of ids) first.set(id, (await h.db.leads.get(id))?.zoho_id ?? null);
        return [...first.values()].every((z) => z !== null);
      },
      'every lead synced',
      30_000,
    );
    const callsAfterFirst = writeCalls().length;

    for (let i = 0; i < n; i++) await intake(i, { email: `bulk${i}@example.com` });
    await h.triggerDrain();
    await waitFor(
      async () =>
        (await Promise.all(ids.map((id) => h.db.leads.get(id)))).every(
          (l) => l?.content_version === 2 && l.status === 'synced',
        ),
      'every update synced',
      30_000,
    );

    expect(records()).toHaveLength(n);
    for (const id of ids) expect((await h.db.leads.get(id))?.zoho_id).toBe(first.get(id));
    const updates = writeCalls().slice(callsAfterFirst);
    expect(updates.every((c) => c.endpoint === 'update' && c.records <= 100)).toBe(true);
    expect(updates.reduce((sum, c) => sum + c.records, 0)).toBe(n);
    expect(records().filter((r) => String(r.Email ?? '').startsWith('bulk'))).toHaveLength(n);
  });

  it('a record deleted in the CRM: falls back to the upsert, syncs the lead and records what happened', async () => {
    const lead = await chat({ name: 'Del Gone', phone: '+1 555 0300' });
    expect(h.sim.control.deleteRecord(lead.zohoId)).toBe(true);

    const after = await lead.later({ email: 'del.gone@example.com' });

    const created = records();
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ Email: 'del.gone@example.com', Phone: '+15550300' });
    expect(after.zoho_id).toBe(created[0]!.id);
    expect(after.zoho_id).not.toBe(lead.zohoId);
    expect(after.last_error_code).toBeNull();
    const [latest] = await h.db.attempts.forLead(lead.id);
    expect(latest).toMatchObject({ outcome: 'synced', zoho_id: after.zoho_id, error_code: 'ZOHO_RECORD_GONE' });
    expect(latest?.error_message).toContain(lead.zohoId);
    // one refused update, one upsert: no loop
    expect(writeCalls().map((c) => [c.endpoint, c.status])).toEqual([
      ['upsert', 200],
      ['update', 400],
      ['upsert', 200],
    ]);
  });

  it('a converted record: the newest details become a new lead, the converted one is left alone', async () => {
    const lead = await chat({ name: 'Con Verted', email: 'con.verted@example.com' });
    expect(h.sim.control.convertRecord(lead.zohoId)).toBe(true);

    const after = await lead.later({ phone: '+1 555 0400', company: 'Converted Inc' });

    const created = records();
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ Email: 'con.verted@example.com', Phone: '+15550400', Company: 'Converted Inc' });
    expect(after).toMatchObject({ status: 'synced', zoho_id: created[0]!.id, zoho_action: 'insert' });
    expect(h.sim.control.convertedRecords().map((r) => r.id)).toEqual([lead.zohoId]);
    const [latest] = await h.db.attempts.forLead(lead.id);
    expect(latest).toMatchObject({ outcome: 'synced', error_code: 'ZOHO_RECORD_GONE' });
    expect(writeCalls().map((c) => c.endpoint)).toEqual(['upsert', 'update', 'upsert']);
  });
});
