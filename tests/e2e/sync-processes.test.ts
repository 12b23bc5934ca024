import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor, withClient } from '@leadsync/local-stack';
import { connectionOptions, QUEUES, SCHEDULERS } from '@leadsync/queue';
import { Queue } from 'bullmq';
import { type SyncHarness, startSyncHarness } from '../support/sync-harness.js';

const exited = (child: import('node:child_process').ChildProcess) =>
  new Promise<void>((done) =>
    child.exitCode !== null || child.signalCode !== null ? done() : child.once('exit', () => done()),
  );

/** Real worker processes: killed, stopped, several at once. */
describe('sync across worker processes', () => {
  let h: SyncHarness;
  afterEach(() => h.teardown());

  it('loses and duplicates nothing when a worker is SIGKILLed mid-drain: its leads come back within about a lease', async () => {
    // the default lease (30 s, renewed while a batch runs): nothing here shortens it
    h = await startSyncHarness('kill9', {
      sim: { latencyMs: 60, jitterMs: 20 },
      env: { SYNC_CONCURRENCY: '3' },
    });
    await h.storeLeadsBulk(2000);
    const first = h.spawnWorker();
    await h.triggerDrain();
    await h.waitForStatus('synced', 300, 60_000);
    first.kill('SIGKILL');
    await exited(first);
    const { rows } = await withClient(h.stack.databaseUrl, (c) =>
      c.query<{ id: string }>(`select id from leads where status = 'syncing'`),
    );
    const stranded = rows.map((r) => r.id);
    // the kill really left claimed leads behind
    expect(stranded.length).toBeGreaterThan(0);

    h.spawnWorker();
    // BullMQ's stalled check re-runs the dead worker's jobs (which hand back what they held), or
    // the lease runs out: either way in about 30 s; the timeout is generous for a loaded machine
    await waitFor(
      async () => {
        const { rows: back } = await withClient(h.stack.databaseUrl, (c) =>
          c.query(`select 1 from leads where id = any($1) and status = 'synced'`, [stranded]),
        );
        return back.length === stranded.length;
      },
      'the stranded leads synced',
      90_000,
    );
    await h.waitForStatus('synced', 2000, 120_000);
    const counters = h.sim.control.counters();
    expect(counters.records).toBe(2000);
    expect(counters.duplicateEmails).toBe(0);
    expect((await h.countByStatus()).failed ?? 0).toBe(0);
  }, 240_000);

  it('on SIGTERM finishes the batch in flight and hands back its claims', async () => {
    h = await startSyncHarness('sigterm', {
      sim: { latencyMs: 300 },
      env: { SYNC_BATCH_SIZE: '50', SYNC_CONCURRENCY: '1' },
    });
    await h.storeLeadsBulk(500);
    const worker = h.spawnWorker();
    await h.triggerDrain();
    await h.waitForStatus('synced', 50, 60_000);
    worker.kill('SIGTERM');
    await exited(worker);
    expect(worker.exitCode).toBe(0);
    const after = await h.countByStatus();
    expect(after.syncing ?? 0).toBe(0);
    // what was acknowledged is recorded; nothing sent was left unrecorded
    expect(h.sim.control.counters().records).toBe(after.synced);
  }, 90_000);

  it('four workers with 20-second tokens and the default configuration sync every lead within the refresh limit', async () => {
    // No TOKEN_* settings: the default 5-minute safety margin and 15-minute refresh-ahead must adapt
    // to a token issued for 20 s instead of treating every fresh token as already expired.
    h = await startSyncHarness('four-workers', { sim: { accessTokenTtlSeconds: 20 } });
    for (let i = 0; i < 4; i++) h.spawnWorker();
    // two leads a second for 90 s: the run spans several token lifetimes
    let posted = 0;
    for (const end = Date.now() + 90_000; Date.now() < end; posted += 2) {
      await h.storeLeadsBulk(2);
      await h.triggerDrain();
      await new Promise((r) => setTimeout(r, 1000));
    }
    await h.waitForStatus('synced', posted, 60_000);
    const counters = h.sim.control.counters();
    expect(counters.records).toBe(posted);
    expect(counters.duplicateEmails).toBe(0);
    expect((await h.countByStatus()).failed ?? 0).toBe(0);
    // Zoho allows 10 access tokens per refresh token per 10 minutes; this run is shorter than that
    expect(counters.throttledRefreshes).toBe(0);
    expect(counters.refreshes.total).toBeGreaterThanOrEqual(4);
    expect(counters.refreshes.total).toBeLessThanOrEqual(10);

    // four workers each upserted the schedulers at start: still exactly one of each
    const queues = [QUEUES.sync, QUEUES.token].map(
      (name) => new Queue(name, { connection: connectionOptions(h.stack.redisUrl), prefix: h.stack.redisPrefix }),
    );
    const schedulers = (await Promise.all(queues.map((q) => q.getJobSchedulers()))).flat().map((j) => j.key);
    await Promise.all(queues.map((q) => q.close()));
    expect(schedulers.sort()).toEqual([SCHEDULERS.dailyDrain, SCHEDULERS.sweep, SCHEDULERS.tokenRefresh].sort());
  }, 240_000);
});
