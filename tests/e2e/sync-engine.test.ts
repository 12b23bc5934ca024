import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '@leadsync/local-stack';
import { connectionOptions, createSyncProducer, JOBS, QUEUES, type SyncProducer } from '@leadsync/queue';
import { Queue } from 'bullmq';
import { type SyncHarness, startSyncHarness } from '../support/sync-harness.js';

/** Records Zoho was sent, over every write call: more than the leads means a lead went twice. */
const recordsSent = (h: SyncHarness) => h.sim.control.counters().recordsPerCall.reduce((a, b) => a + b, 0);

/** The batch-job engine: one cluster-wide cap on Zoho calls, claims no one else sends, nudges never lost. */
describe('the batch-job sync engine', () => {
  let h: SyncHarness;
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await h.teardown();
  });

  it.each([1, 2, 4])(
    '%i worker process(es) drain one backlog: never more Zoho calls in flight than SYNC_CONCURRENCY, no lead sent twice',
    async (workers) => {
      const concurrency = 3;
      const leads = 1500;
      h = await startSyncHarness(`engine-${workers}w`, {
        sim: { latencyMs: 40, jitterMs: 20 },
        env: { SYNC_CONCURRENCY: String(concurrency) },
      });
      await h.storeLeadsBulk(leads);
      for (let i = 0; i < workers; i++) h.spawnWorker();
      await h.triggerDrain();
      await h.waitForStatus('synced', leads, 120_000);
      const counters = h.sim.control.counters();
      expect(counters.maxConcurrency).toBeGreaterThan(0);
      expect(counters.maxConcurrency).toBeLessThanOrEqual(concurrency);
      expect(counters.concurrencyRejections).toBe(0);
      expect(recordsSent(h)).toBe(leads);
      expect(counters.records).toBe(leads);
      expect(counters.duplicateEmails).toBe(0);
      expect(await h.countByStatus()).toMatchObject({ synced: leads, pending: 0, syncing: 0, failed: 0 });
    },
    180_000,
  );

  it('a batch whose Zoho call outlasts the lease keeps its leads: nobody else sends them meanwhile', async () => {
    // the lease (10 s) runs out twice during each call; the sweep (every second) would take them
    h = await startSyncHarness('engine-slow-call', {
      sim: { latencyMs: 0 },
      env: { SYNC_LEASE_SECONDS: '10', SYNC_CONCURRENCY: '4', ZOHO_TIMEOUT_MS: '60000' },
    });
    h.spawnWorker();
    h.spawnWorker();
    // the workers are up (the sweep's first batch job finished) before Zoho slows down
    const queue = new Queue(QUEUES.sync, {
      connection: connectionOptions(h.stack.redisUrl),
      prefix: h.stack.redisPrefix,
    });
    closers.push(() => queue.close());
    await waitFor(async () => (await queue.getJobCounts('completed')).completed! > 0, 'a first batch job', 60_000);
    h.sim.control.configure({ latencyMs: 25_000 });
    await h.storeLeadsBulk(150);
    await h.triggerDrain();
    // done, or a lead went to Zoho a second time (then the expectation below says so at once)
    await waitFor(
      async () => ((await h.countByStatus()).synced ?? 0) >= 150 || recordsSent(h) > 150,
      'the drain done',
      120_000,
    );
    expect(recordsSent(h)).toBe(150);
    expect((await h.countByStatus()).synced).toBe(150);
    expect(h.sim.control.counters().records).toBe(150);
  }, 180_000);

  it('two API replicas nudging in turn: every lead reaches a batch job, none waits for the sweep', async () => {
    h = await startSyncHarness('engine-replicas', {
      sim: { latencyMs: 150, jitterMs: 100 },
      // no sweep: a lost nudge would leave its lead pending for good
      env: { SYNC_SWEEP_EVERY_MS: '0' },
    });
    await h.startWorker();
    const replicas: SyncProducer[] = [0, 1].map(() =>
      createSyncProducer({ redisUrl: h.stack.redisUrl, prefix: h.stack.redisPrefix, batchWindowMs: 200 }),
    );
    for (const r of replicas) closers.push(() => r.close());
    const total = 60;
    for (let i = 0; i < total; i++) {
      const [id] = await h.storeLeads(1);
      // in turn, at uneven moments: some inside a window, some while its job is in flight
      await replicas[i % 2]!.enqueueSync(id!);
      await sleep((i * 37) % 260);
    }
    await h.waitForStatus('synced', total, 60_000);
    expect(h.sim.control.counters().records).toBe(total);
  }, 120_000);

  it('a daily-mode worker completes jobs immediate mode left as no-ops; only the drain syncs', async () => {
    h = await startSyncHarness('engine-daily');
    await h.storeLeads(5);
    const queue = new Queue(QUEUES.sync, {
      connection: connectionOptions(h.stack.redisUrl),
      prefix: h.stack.redisPrefix,
    });
    closers.push(() => queue.close());
    // what an earlier immediate-mode run left queued: an intake window, a sweep, a follow-up, a retry, an old nudge
    const leftovers = await Promise.all([
      queue.add(JOBS.syncBatch.name, { reason: 'intake', mode: 'immediate' }),
      queue.add(JOBS.syncBatch.name, { reason: 'sweep', mode: 'immediate' }),
      queue.add(JOBS.syncBatch.name, { reason: 'follow-up', origin: 'sweep', mode: 'immediate', chain: 0 }),
      queue.add(JOBS.syncBatch.name, { reason: 'retry', mode: 'immediate' }),
      queue.add('sync-lead', { leadId: '00000000-0000-4000-8000-000000000000' }),
    ]);
    await h.startWorker({ SYNC_MODE: 'daily' });
    for (const job of leftovers) {
      await waitFor(async () => (await queue.getJobState(job.id!)) === 'completed', `leftover ${job.name} done`);
      const done = await queue.getJob(job.id!);
      expect(done?.returnvalue).toMatchObject({ claimed: 0, skipped: expect.stringMatching(/^daily mode: /) });
    }
    expect(await h.countByStatus()).toMatchObject({ pending: 5, syncing: 0, synced: 0 });
    expect(h.sim.control.counters().records).toBe(0);

    // the daily drain (or an operator's) does sync them
    await queue.add(JOBS.syncBatch.name, { reason: 'daily' });
    await h.waitForStatus('synced', 5);
  }, 120_000);

  it("shows in Bull Board why a batch job ran, the leads it carried and each lead's outcome", async () => {
    h = await startSyncHarness('engine-board', { env: { SYNC_SWEEP_EVERY_MS: '0' } });
    h.sim.control.rejectRecords({ pattern: 'refuse-me', field: 'Email', message: 'designed to be refused' });
    const [good, bad] = await h.storeLeads(2, (i) => ({
      fields: { name: `Board Person${i}`, email: i === 0 ? `board-${i}@example.com` : 'refuse-me@example.com' },
    }));
    const queue = new Queue(QUEUES.sync, {
      connection: connectionOptions(h.stack.redisUrl),
      prefix: h.stack.redisPrefix,
    });
    closers.push(() => queue.close());
    const job = await queue.add(JOBS.syncBatch.name, JOBS.syncBatch.schema.parse({ reason: 'admin' }));
    await h.startWorker();
    await waitFor(async () => (await queue.getJobState(job.id!)) === 'completed', 'the batch job done');
    const done = (await queue.getJob(job.id!))!;
    expect(done.name).toBe('sync-batch');
    expect(done.data).toMatchObject({ reason: 'admin' });
    expect(done.data.leads).toEqual(
      expect.arrayContaining([
        { id: good, source: 'quote_form', contact: 'board-0@example.com', attempt: 1 },
        { id: bad, source: 'quote_form', contact: 'refuse-me@example.com', attempt: 1 },
      ]),
    );
    const zohoId = (await h.db.leads.get(good!))!.zoho_id;
    expect(done.returnvalue).toMatchObject({ claimed: 2, synced: 1, failed: 1, followUps: [] });
    expect(done.returnvalue.leads).toEqual(
      expect.arrayContaining([
        { id: good, outcome: 'synced', zohoId, action: 'insert' },
        {
          id: bad,
          outcome: 'failed',
          code: 'INVALID_DATA',
          message: expect.stringContaining('designed to be refused'),
        },
      ]),
    );
    expect(done.returnvalue.zohoCalls).toEqual([{ kind: 'upsert', records: 2, ms: expect.any(Number), outcome: 'ok' }]);
    const { logs } = await queue.getJobLogs(job.id!);
    expect(logs).toHaveLength(3);
    expect(logs[0]).toBe('claimed 2 due leads (asked for 100)');
    expect(logs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^synced 1, retrying 0, failed 1, released 0; Zoho: upsert 2 in \d+ ms \(ok\)$/),
        `drain ${job.id}: 2 leads handled of 2 due when it began (100%)`,
      ]),
    );
    expect(done.progress).toBe(100);
    // no personal data in the log lines
    expect(logs.join('\n')).not.toMatch(/@example\.com/);
  }, 120_000);

  it("shows a long drain's progress on each of its batch jobs, against the leads due when it began", async () => {
    h = await startSyncHarness('engine-progress', {
      env: { SYNC_SWEEP_EVERY_MS: '0', SYNC_BATCH_SIZE: '10', SYNC_CONCURRENCY: '2' },
    });
    await h.storeLeadsBulk(95);
    const queue = new Queue(QUEUES.sync, {
      connection: connectionOptions(h.stack.redisUrl),
      prefix: h.stack.redisPrefix,
    });
    closers.push(() => queue.close());
    const first = await queue.add(JOBS.syncBatch.name, JOBS.syncBatch.schema.parse({ reason: 'admin' }));
    await h.startWorker();
    await h.waitForStatus('synced', 95, 60_000);
    const drainJobs = async () =>
      (await queue.getJobs(['completed', 'active', 'waiting'])).filter(
        (j) => j.id === first.id || j.data.drain === first.id,
      );
    // ten batches (the first and nine follow-ups over two chains, the last one short), and at
    // most one more that the other chain found empty
    await waitFor(async () => (await drainJobs()).every((j) => j.finishedOn), 'every batch job of the drain done');
    const jobs = (await drainJobs()).sort((a, b) => a.finishedOn! - b.finishedOn!);
    expect(jobs.length).toBeGreaterThanOrEqual(10);
    expect(jobs.length).toBeLessThanOrEqual(11);
    expect(jobs.every((j) => j.data.reason === 'admin' || j.data.due === 95)).toBe(true);
    const progress = jobs.map((j) => j.progress as number);
    expect(progress.every((p) => typeof p === 'number' && p > 0 && p <= 100)).toBe(true);
    expect(progress.at(-1)).toBe(100);
    expect(Math.min(...progress)).toBeLessThan(50);
    const { logs } = await queue.getJobLogs(jobs.at(-1)!.id!);
    expect(logs).toContain(`drain ${first.id}: 95 leads handled of 95 due when it began (100%)`);
  }, 120_000);
});
