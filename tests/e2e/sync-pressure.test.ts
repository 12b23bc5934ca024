import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor, withClient } from '@leadsync/local-stack';
import { connectionOptions, QUEUES } from '@leadsync/queue';
import { Queue } from 'bullmq';
import { call, startTestApi, TEST_CRON_SECRET, type TestApi } from '../../apps/api/src/testing/harness.js';
import { type SyncHarness, startSyncHarness } from '../support/sync-harness.js';

/**
 * Zoho's 429 handled by its cause, and its daily API credits (docs/zoho-crm.md §8): a concurrency
 * 429 slows the cluster down for a moment, used-up credits pause the queue until the window can
 * give credits back (once, with one alert), and ZOHO_CREDIT_RESERVE leaves credits to the org's
 * other tools. Checked against the simulator's own counters, the database, /api/health, /metrics
 * and the queue's rate limit (what Bull Board shows).
 */
describe('sync under Zoho pressure', () => {
  let h: SyncHarness | undefined;
  let api: TestApi | undefined;
  let receiver: Server | undefined;
  let queue: Queue | undefined;
  const posts: string[] = [];
  afterEach(async () => {
    await api?.stop();
    await queue?.close();
    await h?.teardown();
    if (receiver) await new Promise((resolve) => receiver?.close(resolve));
    api = undefined;
    h = undefined;
    receiver = undefined;
    queue = undefined;
    posts.length = 0;
  });

  const startReceiver = async (): Promise<string> => {
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        posts.push(JSON.parse(raw).text);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  };
  const health = async () => {
    const res = await call(`${api?.url}/api/health`, { headers: { authorization: `Bearer ${TEST_CRON_SECRET}` } });
    expect(res.status).toBe(200);
    return res.body as {
      zoho: {
        credits: { remaining: number | null; seen_at: string | null; reserve: number | null };
        concurrency: { current: number; max: number } | null;
        pause: { reason: string; until: string | null; message: string } | null;
      };
      recommendations: Array<{ id: string }>;
    };
  };
  const metrics = async () =>
    (await call(`${api?.url}/metrics`, { headers: { authorization: `Bearer ${TEST_CRON_SECRET}` } })).body as string;
  const upsertCalls = (s: SyncHarness) =>
    Object.values(s.sim.control.counters().calls.upsert ?? {}).reduce((sum, n) => sum + n, 0);
  const maxAttempts = async (s: SyncHarness) =>
    withClient(s.stack.databaseUrl, async (c) =>
      Number((await c.query('select max(attempts) m from leads')).rows[0].m),
    );

  it('six 429s with credits left and Zoho allowing one call at a time: everything syncs soon after, no hot loop', async () => {
    h = await startSyncHarness('pressure-429', {
      sim: { concurrencyLimit: 1, latencyMs: 50 },
      env: { SYNC_CONCURRENCY: '4', SYNC_BATCH_SIZE: '10' },
    });
    const s = h;
    s.sim.control.injectFaults({ kind: 'status', status: 429, count: 6, endpoint: 'upsert' });
    await s.startWorker();
    // ~120 leads arriving in waves, each wave nudged as intake would
    for (let wave = 0; wave < 6; wave++) {
      await s.storeLeads(20);
      await s.triggerDrain();
    }
    await waitFor(async () => s.sim.control.counters().pendingFaults === 0, 'the six 429s to be served', 60_000);
    // within a minute of the last forced 429 (no fixed pause of ZOHO_RATE_LIMIT_WAIT_MS per 429)
    await s.waitForStatus('synced', 120, 60_000);
    const counters = s.sim.control.counters();
    expect(counters.records).toBe(120);
    expect(counters.duplicateEmails).toBe(0);
    expect((await s.countByStatus()).failed ?? 0).toBe(0);
    // no hot loop: 12+ batches, 6 forced 429s, and the collisions AIMD needs to find Zoho's limit of 1
    const rejected = counters.calls.upsert?.['429'] ?? 0;
    expect(rejected).toBeGreaterThanOrEqual(6);
    expect(rejected).toBeLessThan(60);
    expect(upsertCalls(s)).toBeLessThan(120);
    // a 429 says nothing about the leads: each was sent (and counted) once
    expect(await maxAttempts(s)).toBe(1);
    expect(counters.creditRejections).toBe(0);
  }, 180_000);

  it('credits used up: the queue pauses (no retry a minute), one alert, and the backlog drains when credits return', async () => {
    const hook = await startReceiver();
    h = await startSyncHarness('pressure-credits', {
      // 20 credits: 20 calls of 10 leads, then Zoho answers 429 with X-API-CREDITS-REMAINING: 0
      sim: { dailyCredits: 20, latencyMs: 5 },
      env: {
        SYNC_BATCH_SIZE: '10',
        ZOHO_CREDIT_RESERVE: '0',
        ZOHO_CREDITS_PROBE_EVERY: '20s',
        HEALTH_CHECK_EVERY_MS: '1000',
        ALERT_WEBHOOK_URL: hook,
      },
    });
    const s = h;
    api = await startTestApi(s.stack);
    queue = new Queue(QUEUES.sync, { connection: connectionOptions(s.stack.redisUrl), prefix: s.stack.redisPrefix });
    const q = queue;
    await s.storeLeadsBulk(300);
    await s.startWorker();
    await s.triggerDrain();
    await s.waitForStatus('synced', 200);

    // paused: health says why and until when, Bull Board's rate limit shows it, metrics too
    await waitFor(async () => (await health()).zoho.pause?.reason === 'credits_exhausted', 'health to show the pause');
    const report = await health();
    expect(report.zoho.credits).toMatchObject({ remaining: 0, reserve: 0 });
    expect(report.zoho.credits.seen_at).toEqual(expect.any(String));
    expect(Date.parse(report.zoho.pause?.until ?? '')).toBeGreaterThan(Date.now());
    expect(report.recommendations.map((r) => r.id)).toContain('zoho_credits_exhausted');
    await waitFor(
      async () => (await q.getRateLimitTtl()) > 0,
      'the sync queue to be rate-limited (Bull Board shows getRateLimitTtl)',
    );
    const text = await metrics();
    expect(text).toMatch(/^leadsync_sync_paused\{reason="credits_exhausted"\} 1$/m);
    expect(text).toMatch(/^leadsync_zoho_credits_remaining 0$/m);

    // nothing is sent while paused: the simulator's call count stays flat over a window
    const before = upsertCalls(s);
    await new Promise((r) => setTimeout(r, 6000));
    expect(upsertCalls(s)).toBe(before);
    // only the calls already in flight when the credits ran out met Zoho's 429 (at most SYNC_CONCURRENCY)
    expect(s.sim.control.counters().creditRejections).toBeLessThanOrEqual(4);
    expect((await s.countByStatus()).pending).toBe(100);
    expect(await maxAttempts(s)).toBe(1);
    await waitFor(async () => posts.length > 0, 'the alert');
    expect(posts.filter((p) => /WARNING: Zoho's API credits/.test(p))).toHaveLength(1);

    // a day later (the simulator's window forgets the credits): the backlog drains after the probe
    s.sim.control.resetCredits();
    await s.waitForStatus('synced', 300, 90_000);
    expect(s.sim.control.counters().duplicateEmails).toBe(0);
    expect((await s.countByStatus()).failed ?? 0).toBe(0);
    expect(posts.filter((p) => /WARNING: Zoho's API credits/.test(p))).toHaveLength(1);
  }, 180_000);

  it('stops at ZOHO_CREDIT_RESERVE, leaving at least the reserve to the org, and health shows why', async () => {
    h = await startSyncHarness('pressure-reserve', {
      sim: { dailyCredits: 100, latencyMs: 5 },
      env: { SYNC_BATCH_SIZE: '10', ZOHO_CREDIT_RESERVE: '30', SYNC_CONCURRENCY: '4' },
    });
    const s = h;
    api = await startTestApi(s.stack);
    await s.storeLeadsBulk(1000);
    await s.startWorker();
    await s.triggerDrain();
    await waitFor(async () => (await health()).zoho.pause?.reason === 'credit_reserve', 'the reserve pause', 60_000);
    const settle = upsertCalls(s);
    await new Promise((r) => setTimeout(r, 3000));
    expect(upsertCalls(s)).toBe(settle);
    const counters = s.sim.control.counters();
    expect(counters.creditsRemaining).toBeGreaterThanOrEqual(30);
    // it did use what was above the reserve
    expect(counters.creditsRemaining).toBeLessThanOrEqual(40);
    expect(counters.creditRejections).toBe(0);
    const report = await health();
    expect(report.zoho.credits.reserve).toBe(30);
    expect(report.zoho.concurrency?.max).toBe(4);
    expect(report.zoho.pause?.message).toContain('ZOHO_CREDIT_RESERVE');
    expect((await s.countByStatus()).failed ?? 0).toBe(0);
  }, 120_000);

  it('re-authorisation needed: the queue is rate-limited (no failed job a window), health says why, re-connecting resumes', async () => {
    h = await startSyncHarness('pressure-reauth', {
      sim: { latencyMs: 5 },
      env: { SYNC_OPERATOR_WAIT_MS: '2000', SYNC_SWEEP_EVERY_MS: '0' },
    });
    const s = h;
    api = await startTestApi(s.stack);
    queue = new Queue(QUEUES.sync, { connection: connectionOptions(s.stack.redisUrl), prefix: s.stack.redisPrefix });
    const q = queue;
    await s.storeLeads(2);
    await s.startWorker();
    await s.triggerDrain();
    await s.waitForStatus('synced', 2);

    // the grant is revoked in Zoho and the access token runs out: only a person can fix it
    s.sim.control.revokeRefreshToken(s.refreshToken);
    s.sim.control.expireAccessTokens();
    await s.storeLeads(3);
    await s.triggerDrain();
    await waitFor(
      async () => (await q.getRateLimitTtl()) > 0,
      'the sync queue to be rate-limited (Bull Board shows it)',
    );
    await waitFor(
      async () => (await health()).zoho.pause?.reason === 'reauthorization_needed',
      'health to say re-authorisation is needed',
    );
    // nudges meanwhile, over three pause periods: none of them turns into a failed job
    for (let i = 0; i < 3; i++) {
      await s.storeLeads(1);
      await s.triggerDrain();
      await new Promise((r) => setTimeout(r, 2000));
    }
    expect(await q.getJobCounts('failed')).toEqual({ failed: 0 });
    // A pause period can end at this very moment: its batch job then claims the leads, meets the
    // revoked grant and hands them back. Caught in between, they are `syncing`, so wait for that.
    await waitFor(async () => (await s.countByStatus()).pending === 6, 'the six leads to be handed back', 10_000);
    const counts = await s.countByStatus();
    expect(counts).toMatchObject({ synced: 2, pending: 6 });
    expect(counts.failed ?? 0).toBe(0);
    expect(await maxAttempts(s)).toBe(1); // no lead spent a try on it

    await s.reconnect();
    await s.waitForStatus('synced', 8, 30_000);
    expect(s.sim.control.counters().duplicateEmails).toBe(0);
    expect((await health()).zoho.pause).toBeNull();
  }, 120_000);
});
