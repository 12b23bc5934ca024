import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from '@leadsync/config';
import {
  type IsolatedStack,
  REPO_ROOT,
  type RedisClusterProcess,
  type Spawned,
  type SpawnedApi,
  spawnApi,
  spawnWorkerProcess,
  stackEnv,
  startIsolatedStack,
  startRedisCluster,
  tsxEntry,
  waitFor,
  withClient,
} from '@leadsync/local-stack';
import { loadWorkerConfig } from '@leadsync/worker/config';
import { startZohoSim, type ZohoSim } from '@leadsync/zoho-sim';
import { Redis } from 'ioredis';
import { call, postJson } from '../../apps/api/src/testing/harness.js';

const run = promisify(execFile);

/**
 * The whole path on a Redis Cluster of its own (three masters on loopback ports): the real API
 * takes leads over HTTP, two real worker processes send them to the simulator, one is SIGKILLed
 * mid-drain. Only public behaviour is asserted (HTTP answers, the simulator's counters, the
 * database's rows), so the test holds however the sync engine schedules its jobs.
 */
describe('on a Redis Cluster', () => {
  let stack: IsolatedStack;
  let cluster: RedisClusterProcess;
  let sim: ZohoSim;
  let api: SpawnedApi;
  let env: Record<string, string>;
  const workers: Spawned[] = [];
  // every key of this test under one hash tag, unique to the run
  const prefix = `{test-cluster-${randomUUID().slice(0, 8)}}`;
  const posts: string[] = [];
  const receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      posts.push(JSON.parse(raw).text);
      res.end('ok');
    });
  });
  let total = 0;

  const countByStatus = () =>
    withClient(stack.databaseUrl, async (c) => {
      const { rows } = await c.query<{ status: string; n: string }>(
        'select status, count(*) as n from leads group by status',
      );
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Record<string, number>;
    });
  const waitForStatus = (status: string, n: number, timeoutMs = 120_000) =>
    waitFor(async () => ((await countByStatus())[status] ?? 0) >= n, `${n} leads ${status}`, timeoutMs);
  const admin = () => ({ authorization: `Bearer ${env.CRON_SECRET}` });

  /** Posts `n` leads to intake, a few at a time; each must be taken (202) with the rate limit's headers. */
  async function postLeads(n: number, name = (i: number) => `Cluster Person${total + i}`) {
    const start = total;
    total += n;
    for (let i = 0; i < n; i += 10) {
      const answers = await Promise.all(
        Array.from({ length: Math.min(10, n - i) }, (_, j) =>
          postJson(`${api.url}/api/store-lead`, {
            name: name(i + j),
            email: `cluster-${start + i + j}-${prefix.slice(14, 22)}@example.com`,
          }),
        ),
      );
      for (const a of answers) {
        expect(a.status).toBe(202);
        // set only when the limiter's script ran on the cluster (a store error lets requests through bare)
        expect(a.headers.get('ratelimit')).toMatch(/; r=\d+/);
      }
    }
  }

  beforeAll(async () => {
    [stack, cluster, sim] = await Promise.all([
      startIsolatedStack('redis-cluster'),
      startRedisCluster({ masters: 3 }),
      startZohoSim({ latencyMs: 20 }),
    ]);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    env = stackEnv({ ...stack, redisPrefix: prefix }, sim, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      REDIS_CLUSTER_NODES: cluster.nodesEnv,
      // Nothing listens here: with REDIS_CLUSTER_NODES set, REDIS_URL only lends credentials and TLS,
      // so a process that still connected to it would fail this test.
      REDIS_URL: 'redis://127.0.0.1:1',
      ZOHO_REFRESH_TOKEN: sim.control.issueRefreshToken(),
      ZOHO_TIMEOUT_MS: '5000',
      INTAKE_RATE_LIMIT: '100000',
      SYNC_BATCH_SIZE: '20',
      SYNC_CONCURRENCY: '2',
      SYNC_LEASE_SECONDS: '10',
      SYNC_SWEEP_EVERY_MS: '1000',
      SYNC_BACKOFF_BASE_MS: '200',
      SYNC_BACKOFF_MAX_MS: '2000',
      HEALTH_CHECK_EVERY_MS: '500',
      // any permanent failure among 10+ final answers is a warning, so the alert path runs
      HEALTH_SUCCESS_RATE_MIN: '1',
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
    });
    api = await spawnApi(env, { output: 'keep' });
    for (const id of ['a', 'b'])
      workers.push(spawnWorkerProcess({ ...env, WORKER_ID: `cluster-${id}` }, { output: 'keep' }));
  }, 180_000);

  afterAll(async () => {
    if (process.env.TEST_SHOW_OUTPUT) for (const p of [api, ...workers]) console.log(p?.output());
    await Promise.all([...workers.map((w) => w.stop('SIGKILL')), api?.stop()]);
    await new Promise((resolve) => receiver.close(resolve));
    await sim?.close();
    await cluster?.stop();
    await stack?.teardown();
  }, 60_000);

  it('refuses a cluster whose REDIS_PREFIX has no hash tag', () => {
    expect(() => loadWorkerConfig({ ...env, REDIS_PREFIX: 'leadsync' })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ ...env, REDIS_PREFIX: 'leadsync' })).toThrow(
      /REDIS_PREFIX must contain a hash tag/,
    );
    expect(loadWorkerConfig(env).REDIS_CLUSTER_NODES).toEqual(cluster.nodes);
  });

  it('takes leads over HTTP and each reaches Zoho exactly once; a failure is alerted once', async () => {
    sim.control.rejectRecords({ field: 'Last_Name', pattern: 'Rejectme' });
    await postLeads(1, () => 'Bad Rejectme');
    await postLeads(39);
    await waitForStatus('failed', 1);
    await waitForStatus('synced', 39);
    const counters = sim.control.counters();
    expect(counters.records).toBe(39);
    expect(counters.duplicateEmails).toBe(0);
    // the health check (one worker's turn, the alert state shared in the cluster) raised it once
    await waitFor(async () => posts.some((p) => p.includes('Success rate')), 'the success-rate alert', 30_000);
  }, 120_000);

  it('refreshes the access token through the shared lock and budget when Zoho expires it', async () => {
    const before = sim.control.counters().refreshes.total;
    expect(before).toBeGreaterThanOrEqual(1);
    sim.control.expireAccessTokens();
    await postLeads(10);
    await waitForStatus('synced', 49);
    const counters = sim.control.counters();
    expect(counters.refreshes.total).toBeGreaterThan(before);
    expect(counters.throttledRefreshes).toBe(0);
    expect(counters.records).toBe(49);
  }, 120_000);

  it('loses and duplicates nothing when a worker is SIGKILLed mid-drain', async () => {
    // slow calls, so the backlog outlasts the kill and claims are in flight when it lands
    sim.control.configure({ latencyMs: 600 });
    const syncedBefore = (await countByStatus()).synced ?? 0;
    await postLeads(300);
    await waitForStatus('synced', syncedBefore + 40);
    await workers[0]!.stop('SIGKILL');
    const atKill = await countByStatus();
    // the kill landed mid-drain: leads still to send, and batches claimed (some by the killed worker)
    expect(atKill.synced ?? 0).toBeLessThan(total - 1);
    expect(atKill.syncing ?? 0).toBeGreaterThan(0);
    sim.control.configure({ latencyMs: 20 });
    await waitForStatus('synced', total - 1, 180_000);
    const counters = sim.control.counters();
    expect(counters.records).toBe(total - 1);
    expect(counters.duplicateEmails).toBe(0);
    expect(await countByStatus()).toEqual({ synced: total - 1, failed: 1 });
  }, 240_000);

  it('runs the CLI against the cluster, and it exits when done (every cluster connection closed)', async () => {
    const cli = (...args: string[]) =>
      run(process.execPath, tsxEntry('apps/cli/src/cli.ts', ...args), {
        env: { PATH: process.env.PATH, ...env },
        cwd: REPO_ROOT,
        timeout: 60_000,
      });
    const status = await cli('status');
    expect(status.stdout).toContain(`Zoho: connected via ${sim.accountsUrl}`);
    // a drain through the CLI's producer, waited for through its QueueEvents, run by the remaining worker
    const synced = await cli('sync', '--wait');
    expect(synced.stdout).toMatch(/^Drain job \S+/m);
  }, 120_000);

  it('serves /api/health and /metrics from the cluster', async () => {
    const health = await call(`${api.url}/api/health`, { headers: admin() });
    expect(health.status).toBe(200);
    const report = health.body as { checks: { redis: string }; schedulers: { missing: string[] } | null };
    expect(report.checks.redis).toBe('ok');
    expect(report.schedulers?.missing).toEqual([]);

    // the workers' counters, read from the cluster (not exactly the leads: a worker killed right
    // after recording a batch never sent its fire-and-forget increments)
    const metrics = (await call(`${api.url}/metrics`, { headers: admin() })).body as string;
    expect(metrics).toMatch(/^leadsync_sync_lead_results_total\{outcome="synced"\} [1-9]/m);
    expect(metrics).toContain('leadsync_dependency_up{dependency="redis"} 1');
    expect(metrics).toMatch(/leadsync_token_refreshes_total\{outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/leadsync_zoho_calls_total\{[^}]*outcome="ok"[^}]*\} [1-9]/);
  }, 60_000);

  it('kept every key of ours and of BullMQ under the prefix, in one slot', async () => {
    // every master of the cluster, asked directly
    const clients = cluster.nodes.map((n) => new Redis({ ...n, maxRetriesPerRequest: 1 }));
    try {
      const keys: string[] = [];
      for (const node of clients) {
        for await (const batch of node.scanStream({ count: 1000 })) keys.push(...(batch as string[]));
      }
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((k) => !k.startsWith(`${prefix}:`))).toEqual([]);
      const slots = new Set(await Promise.all(keys.map((k) => clients[0]!.cluster('KEYSLOT', k))));
      expect(slots.size).toBe(1);
      // the token lock's budget, the metrics and the alert state were written here
      expect(keys.some((k) => k.startsWith(`${prefix}:zoho:refresh:window:`))).toBe(true);
      expect(keys).toContain(`${prefix}:metrics`);
      expect(keys).toContain(`${prefix}:alerts:active`);
    } finally {
      for (const c of clients) c.disconnect();
    }
    // one alert for the condition, however many workers checked
    expect(posts.filter((p) => p.includes('Success rate'))).toHaveLength(1);
  }, 60_000);
});
