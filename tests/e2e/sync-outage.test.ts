import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import { withClient } from '@leadsync/local-stack';
import { createSyncProducer, type SyncProducer } from '@leadsync/queue';
import { type SyncHarness, startSyncHarness } from '../support/sync-harness.js';

/**
 * Zoho down for hours, on a compressed clock: every duration the worker is configured with (the
 * backoff base and cap, the retry horizon) and the outage itself are divided by SCALE, so one
 * second of test stands for ten minutes. What must hold does not depend on the scale: no lead
 * fails before the horizon, and the calls made while Zoho is down are bounded by the number of
 * probes a capped, doubling schedule can make, not by leads × tries.
 */
const SCALE = 600;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const scaled = (ms: number) => Math.max(1, Math.round(ms / SCALE));

// the production defaults, compressed
const BASE_MS = scaled(5_000);
const CAP_MS = scaled(15 * MINUTE);
const OUTAGE_MS = scaled(2 * HOUR);
const compressedEnv = {
  SYNC_BACKOFF_BASE_MS: String(BASE_MS),
  SYNC_BACKOFF_MAX_MS: String(CAP_MS),
  SYNC_RETRY_HORIZON: String(scaled(72 * HOUR)),
  SYNC_SWEEP_EVERY_MS: String(scaled(MINUTE)),
};

describe('a Zoho outage is waited out, not spent lead by lead', () => {
  let h: SyncHarness;
  let producer: SyncProducer | undefined;
  afterEach(async () => {
    await producer?.close();
    producer = undefined;
    await h.teardown();
  });

  const upsertsAnswered = (status: string) => h.sim.control.counters().calls.upsert?.[status] ?? 0;

  // Zoho answering 500 to every CRM call (its accounts server stays up, as in a CRM incident), or
  // every connection to it dropping (a network or DNS failure on the way)
  it.each([
    { outage: 'every CRM call answered 500', fault: { kind: 'status', status: 500 }, counted: '500' },
    { outage: 'every CRM connection dropped', fault: { kind: 'drop' }, counted: 'dropped' },
  ] as const)(
    'a 2-hour outage ($outage) while leads arrive ends with every lead synced, none failed, and few calls',
    async ({ fault, counted }) => {
      h = await startSyncHarness(`outage-2h-${counted}`, { sim: { latencyMs: 5 }, env: compressedEnv });
      producer = createSyncProducer({ redisUrl: h.env.REDIS_URL!, prefix: h.env.REDIS_PREFIX!, batchWindowMs: 50 });
      await h.startWorker();
      // before the outage: the worker holds a token and has synced
      await h.storeLeads(5);
      await h.triggerDrain();
      await h.waitForStatus('synced', 5);

      h.sim.control.injectFaults({ ...fault, count: 1_000_000 });
      const outageStartedAt = Date.now();
      h.sim.control.rejectRecords({ field: 'Last_Name', pattern: 'Rejectme' });
      const arrivals = 20;
      for (let i = 0; i < arrivals; i++) {
        const [id] = await h.storeLeads(1, () => ({
          fields: { name: i === 7 ? 'Bad Rejectme' : `Outage Person${i}`, email: `outage-${i}@example.com` },
        }));
        await producer.enqueueSync(id!);
        await sleep(OUTAGE_MS / arrivals);
      }
      const failedDuringOutage = upsertsAnswered(counted);
      // On a loaded machine storing the arrivals takes time of its own, so the outage lasts longer
      // than OUTAGE_MS: the bound follows the outage as it really was, or it would flake.
      const outageMs = Math.max(OUTAGE_MS, Date.now() - outageStartedAt);
      const statusAtEnd = await h.countByStatus();
      h.sim.control.clearFaults();
      expect(statusAtEnd.failed ?? 0).toBe(0);
      // Probes at a doubling interval (from half the base) up to the cap, then one per half-cap at
      // worst: in 2 hours of defaults that is at most 9 + 16 calls, where one try per lead per
      // backoff step made 67 calls in 12 minutes.
      const growth = Math.ceil(Math.log2(CAP_MS / BASE_MS)) + 1;
      const bound = growth + Math.ceil(outageMs / (CAP_MS / 2)) + 2;
      expect(failedDuringOutage).toBeGreaterThan(0);
      expect(failedDuringOutage).toBeLessThanOrEqual(bound);

      await h.waitForStatus('synced', 5 + arrivals - 1);
      await h.waitForStatus('failed', 1);
      expect(await h.countByStatus()).toMatchObject({ synced: 5 + arrivals - 1, failed: 1 });
      expect(h.sim.control.counters().records).toBe(5 + arrivals - 1);
      expect(h.sim.control.counters().duplicateEmails).toBe(0);

      // the one record Zoho rejects fails at its first answer; the outage did not count against it
      const [failedId] = await h.db.leads.idsByStatus('failed');
      const rejected = await h.db.leads.get(failedId!);
      expect(rejected).toMatchObject({ last_error_code: 'INVALID_DATA', attempts: 1 });
    },
    120_000,
  );

  it('fails a lead once its retry horizon has passed since its first failure, not before', async () => {
    h = await startSyncHarness('outage-horizon');
    const [old, young] = await h.storeLeads(2);
    // the clock we control: first failures 73 and 71 hours ago, against the default 72-hour horizon
    await withClient(h.stack.databaseUrl, (c) =>
      c.query(
        `update leads set first_failed_at = now() - (case when id = $1 then interval '73 hours' else interval '71 hours' end)
         where id in ($1, $2)`,
        [old, young],
      ),
    );
    h.sim.control.injectFaults({ kind: 'status', status: 503, count: 1, endpoint: 'upsert' });
    await h.startWorker();
    await h.triggerDrain();
    await h.waitForStatus('failed', 1);
    await h.waitForStatus('synced', 1);
    expect(await h.db.leads.get(old!)).toMatchObject({ status: 'failed', first_failed_at: null });
    expect((await h.db.leads.get(old!))?.last_error_message).toMatch(/retry horizon/);
    expect(await h.db.leads.get(young!)).toMatchObject({ status: 'synced', first_failed_at: null });
  });
});
