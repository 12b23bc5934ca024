import { afterEach, describe, expect, it } from '@jest/globals';
import { type SyncHarness, startSyncHarness } from '../support/sync-harness.js';

/**
 * Each fault on its own harness (own database, simulator and Redis prefix), checked against the
 * simulator's records and counters as well as the database.
 */
describe('sync under Zoho faults', () => {
  let h: SyncHarness;
  afterEach(() => h.teardown());

  const expectExactlyOnce = (n: number) => {
    const counters = h.sim.control.counters();
    expect(counters.records).toBe(n);
    expect(counters.duplicateEmails).toBe(0);
  };

  it('retries through a run of 5xx answers and recovers', async () => {
    h = await startSyncHarness('fault-5xx');
    await h.storeLeads(50);
    h.sim.control.injectFaults({ kind: 'status', status: 500, count: 3, endpoint: 'upsert' });
    await h.startWorker();
    await h.triggerDrain();
    await h.waitForStatus('synced', 50);
    expectExactlyOnce(50);
    expect(h.sim.control.counters().calls.upsert?.['500']).toBe(3);
    const attempts = await h.db.attempts.forLead((await h.db.leads.idsByStatus('synced'))[0]!);
    expect(attempts.map((a) => a.outcome)).toContain('retry');
  });

  it('retries a lead through more failures than SYNC_MAX_ATTEMPTS, which no longer ends it', async () => {
    h = await startSyncHarness('fault-no-give-up', { env: { SYNC_MAX_ATTEMPTS: '2' } });
    const [id] = await h.storeLeads(1);
    h.sim.control.injectFaults({ kind: 'status', status: 503, count: 5, endpoint: 'upsert' });
    await h.startWorker();
    await h.triggerDrain();
    await h.waitForStatus('synced', 1);
    expectExactlyOnce(1);
    const outcomes = (await h.db.attempts.forLead(id!)).map((a) => a.outcome);
    expect(outcomes.filter((o) => o === 'retry')).toHaveLength(5);
    // the five calls failed with Zoho as a whole (the breaker probed), so none counted against the lead
    expect(await h.db.leads.get(id!)).toMatchObject({ status: 'synced', attempts: 1, first_failed_at: null });
  });

  it('pauses on a 429 storm (concurrency limit 1) without burning attempts, then delivers everything', async () => {
    h = await startSyncHarness('fault-429', {
      sim: { concurrencyLimit: 1, latencyMs: 50 },
      env: { SYNC_CONCURRENCY: '4', ZOHO_RATE_LIMIT_WAIT_MS: '300', SYNC_BATCH_SIZE: '20' },
    });
    await h.storeLeads(200);
    await h.startWorker();
    await h.triggerDrain();
    await h.waitForStatus('synced', 200);
    expectExactlyOnce(200);
    const counters = h.sim.control.counters();
    expect(counters.concurrencyRejections).toBeGreaterThan(0);
    // rate-limited sends are handed back uncounted: nobody used up attempts on 429
    const stats = await h.countByStatus();
    expect(stats.failed ?? 0).toBe(0);
  });

  it('times out hanging requests and resends without duplicates', async () => {
    h = await startSyncHarness('fault-hang', { env: { ZOHO_TIMEOUT_MS: '500' } });
    await h.storeLeads(30);
    h.sim.control.injectFaults({ kind: 'hang', count: 2, endpoint: 'upsert' });
    await h.startWorker();
    await h.triggerDrain();
    await h.waitForStatus('synced', 30);
    expectExactlyOnce(30);
  });

  it('a response lost after Zoho stored the records does not duplicate them on resend', async () => {
    h = await startSyncHarness('fault-drop-after');
    await h.storeLeads(40);
    h.sim.control.injectFaults({ kind: 'drop', count: 1, endpoint: 'upsert', phase: 'after' });
    await h.startWorker();
    await h.triggerDrain();
    await h.waitForStatus('synced', 40);
    expectExactlyOnce(40);
  });

  it('refreshes once when every access token expires between batches', async () => {
    h = await startSyncHarness('fault-expired', {
      sim: { latencyMs: 20 },
      env: { SYNC_BATCH_SIZE: '10', SYNC_CONCURRENCY: '3' },
    });
    await h.storeLeads(50);
    await h.startWorker();
    await h.triggerDrain();
    await h.waitForStatus('synced', 50);
    const before = h.sim.control.counters().refreshes.total;
    // Zoho invalidates the token the worker holds (revocation, the 15-token cap, a restart of
    // its session): the next batches are answered 401 INVALID_TOKEN.
    expect(h.sim.control.expireAccessTokens()).toBeGreaterThan(0);
    await h.storeLeads(50);
    await h.triggerDrain();
    await h.waitForStatus('synced', 100);
    expectExactlyOnce(100);
    const counters = h.sim.control.counters();
    expect(counters.calls.upsert?.['401'] ?? 0).toBeGreaterThan(0);
    // one refresh served every batch and every process
    expect(counters.refreshes.total - before).toBe(1);
    expect((await h.countByStatus()).failed ?? 0).toBe(0);
  });
});
