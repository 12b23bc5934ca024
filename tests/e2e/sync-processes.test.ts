import { afterEach, describe, expect, it } from '@jest/globals';
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

  it('loses and duplicates nothing when a worker is SIGKILLed mid-drain and another takes over', async () => {
    h = await startSyncHarness('kill9', {
      sim: { latencyMs: 60, jitterMs: 20 },
      env: { SYNC_LEASE_SECONDS: '10', SYNC_CONCURRENCY: '3' },
    });
    await h.storeLeadsBulk(2000);
    const first = h.spawnWorker();
    await h.triggerDrain();
    await h.waitForStatus('synced', 300, 60_000);
    first.kill('SIGKILL');
    await exited(first);
    const stranded = (await h.countByStatus()).syncing ?? 0;

    h.spawnWorker();
    await h.waitForStatus('synced', 2000, 120_000);
    const counters = h.sim.control.counters();
    expect(counters.records).toBe(2000);
    expect(counters.duplicateEmails).toBe(0);
    expect((await h.countByStatus()).failed ?? 0).toBe(0);
    // the kill really left claimed leads behind for the lease to bring back
    expect(stranded).toBeGreaterThan(0);
  }, 180_000);

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

  it('four workers with a token lifetime of seconds stay within the refresh limit and fail no lead', async () => {
    h = await startSyncHarness('four-workers', {
      sim: { accessTokenTtlSeconds: 6, latencyMs: 100, jitterMs: 50 },
      env: {
        SYNC_BATCH_SIZE: '10',
        SYNC_CONCURRENCY: '2',
        TOKEN_SAFETY_MARGIN_MS: '1500',
        TOKEN_REFRESH_AHEAD_MS: '2500',
        TOKEN_REFRESH_EVERY_MS: '1000',
      },
    });
    for (let i = 0; i < 4; i++) h.spawnWorker();
    // a steady trickle for ~16 s, so the run spans several token lifetimes
    for (let wave = 0; wave < 16; wave++) {
      await h.storeLeadsBulk(20);
      await h.triggerDrain();
      await new Promise((r) => setTimeout(r, 1000));
    }
    await h.waitForStatus('synced', 320, 60_000);
    const counters = h.sim.control.counters();
    expect(counters.records).toBe(320);
    expect(counters.duplicateEmails).toBe(0);
    expect(counters.throttledRefreshes).toBe(0);
    // Zoho allows 10 access tokens per refresh token per 10 minutes; ~16 s of 6 s tokens needs a few
    expect(counters.refreshes.total).toBeGreaterThanOrEqual(2);
    expect(counters.refreshes.total).toBeLessThanOrEqual(9);
    expect((await h.countByStatus()).failed ?? 0).toBe(0);

    // four workers each upserted the schedulers at start: still exactly one of each
    const queues = [QUEUES.sync, QUEUES.token].map(
      (name) => new Queue(name, { connection: connectionOptions(h.stack.redisUrl), prefix: h.stack.redisPrefix }),
    );
    const schedulers = (await Promise.all(queues.map((q) => q.getJobSchedulers()))).flat().map((j) => j.key);
    await Promise.all(queues.map((q) => q.close()));
    expect(schedulers.sort()).toEqual([SCHEDULERS.dailyDrain, SCHEDULERS.sweep, SCHEDULERS.tokenRefresh].sort());
  }, 120_000);
});
