import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@leadsync/local-stack';
import { call, postJson, startTestApi, TEST_CRON_SECRET, type TestApi } from '../../apps/api/src/testing/harness.js';
import { type SyncHarness, startSyncHarness } from '../support/sync-harness.js';

/** The operator's "sync now" and "retry this lead", through the API, with a real worker and Zoho simulator. */
describe('admin operations with a worker', () => {
  let h: SyncHarness;
  let api: TestApi;
  const ADMIN = { authorization: `Bearer ${TEST_CRON_SECRET}` };

  beforeAll(async () => {
    h = await startSyncHarness('admin-sync');
    const { TOKEN_ENCRYPTION_KEY, ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_ACCOUNTS_URL, ZOHO_API_DOMAIN } = h.env;
    api = await startTestApi(h.stack, {
      TOKEN_ENCRYPTION_KEY: TOKEN_ENCRYPTION_KEY!,
      ZOHO_CLIENT_ID: ZOHO_CLIENT_ID!,
      ZOHO_CLIENT_SECRET: ZOHO_CLIENT_SECRET!,
      ZOHO_ACCOUNTS_URL: ZOHO_ACCOUNTS_URL!,
      ZOHO_API_DOMAIN: ZOHO_API_DOMAIN!,
    });
    // daily mode: no sweep, so only the drains asked for here touch the leads
    await h.startWorker({ SYNC_MODE: 'daily' });
  });
  afterAll(async () => {
    await api?.stop();
    await h?.teardown();
  });

  it('POST /api/admin/sync?wait=true answers with what the drain did', async () => {
    const [bad] = await h.storeLeads(1, () => ({
      fields: { name: 'Rejected Person', email: 'reject-me@example.com' },
    }));
    await h.storeLeads(4);
    h.sim.control.rejectRecords({ pattern: 'reject-me', field: 'Email' });
    // the worker's token job gets the first access token; the forced refresh must come on top
    await waitFor(async () => Boolean((await h.db.tokens.status()).expires_at), 'a first access token');
    const refreshesBefore = h.sim.control.counters().refreshes.total;

    const res = await postJson(`${api.url}/api/admin/sync?wait=true`, { force_refresh: true }, ADMIN);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      job_id: expect.any(String),
      status: 'completed',
      claimed: 5,
      synced: 4,
      failed: 1,
      retrying: 0,
      token_refreshed: true,
    });
    expect(h.sim.control.counters().refreshes.total).toBe(refreshesBefore + 1);
    expect(await h.countByStatus()).toMatchObject({ synced: 4, failed: 1 });

    // the operator fixes the cause and puts the lead back; the nudge syncs it
    h.sim.control.clearRejections();
    const retry = await call(`${api.url}/api/admin/leads/${bad}/retry`, { method: 'POST', headers: ADMIN });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ id: bad, status: 'pending' });
    await h.waitForStatus('synced', 5);
    const lead = await call(`${api.url}/api/leads/${bad}`, { headers: ADMIN });
    expect(lead.body).toMatchObject({ status: 'synced', last_error: null });
  });

  it('a limit bounds the drain', async () => {
    await h.storeLeads(3);
    const res = await postJson(`${api.url}/api/admin/sync?wait=true`, { limit: 2 }, ADMIN);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'completed', claimed: 2, synced: 2, token_refreshed: false });
    expect((await h.countByStatus()).pending).toBe(1);
  });

  it('?wait=true sums the whole drain: the first batch job and every follow-up it started', async () => {
    await h.storeLeadsBulk(330);
    const res = await postJson(`${api.url}/api/admin/sync?wait=true`, { limit: 250 }, ADMIN);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'completed', claimed: 250, synced: 250, failed: 0 });
    // the rest of the drain, without a limit
    const rest = await postJson(`${api.url}/api/admin/sync?wait=true`, {}, ADMIN);
    expect(rest.body).toMatchObject({ status: 'completed', claimed: 81, synced: 81 });
    expect((await h.countByStatus()).pending).toBe(0);
  });
});
