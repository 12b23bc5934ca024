import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@leadsync/local-stack';
import type { RunningWorker } from '@leadsync/worker/runtime';
import { call, postJson, startTestApi, TEST_CRON_SECRET, type TestApi } from '../../apps/api/src/testing/harness.js';
import { type SyncHarness, startSyncHarness } from '../support/sync-harness.js';

/** Value of one series in Prometheus text, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('operations: metrics move when leads flow; a permanent failure is alerted', () => {
  let h: SyncHarness;
  let api: TestApi;
  let alertingWorker: RunningWorker;
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

  beforeAll(async () => {
    h = await startSyncHarness('ops-metrics', { sim: { latencyMs: 2, jitterMs: 2 } });
    api = await startTestApi(h.stack);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await api?.stop();
    await h?.teardown();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const scrape = async () => {
    const res = await call(`${api.url}/metrics`, { headers: { authorization: `Bearer ${TEST_CRON_SECRET}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.body as string;
  };

  it('is for operators only', async () => {
    expect((await call(`${api.url}/metrics`)).status).toBe(401);
  });

  it('exposes the named series, and they move when leads are posted and synced', async () => {
    const before = await scrape();
    expect(sample(before, 'leadsync_sync_batches_total')).toBe(0);
    expect(sample(before, 'leadsync_zoho_calls_total')).toBeUndefined();
    expect(sample(before, 'leadsync_intake_requests_total')).toBeUndefined();
    expect(sample(before, 'leadsync_dependency_up', { dependency: 'redis' })).toBe(1);
    expect(sample(before, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    // an empty database: every status is a series, at 0, so dashboards and alerts have one to read
    for (const status of ['pending', 'syncing', 'synced', 'failed', 'spam']) {
      expect({ status, value: sample(before, 'leadsync_leads', { status }) }).toEqual({ status, value: 0 });
    }

    for (let i = 0; i < 3; i++) {
      const res = await postJson(`${api.url}/api/store-lead`, {
        name: `Metric Person${i}`,
        email: `metric${i}@example.com`,
      });
      expect(res.status).toBe(202);
    }
    expect((await postJson(`${api.url}/api/store-lead`, { name: 'No Contact' })).status).toBe(422);
    alertingWorker = await h.startWorker({
      LOG_LEVEL: 'fatal',
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
    });
    await h.triggerDrain();
    await h.waitForStatus('synced', 3);
    // workers count after recording results, without waiting for Redis: the counters follow shortly
    let after = '';
    await waitFor(async () => {
      after = await scrape();
      return sample(after, 'leadsync_sync_lead_results_total', { outcome: 'synced' }) === 3;
    }, 'the synced leads to be counted');

    const route = '/api/store-lead';
    expect(sample(after, 'leadsync_intake_requests_total', { route, status: '202' })).toBe(3);
    expect(sample(after, 'leadsync_intake_requests_total', { route, status: '422' })).toBe(1);
    expect(sample(after, 'leadsync_intake_request_duration_seconds_count', { route })).toBe(4);
    expect(sample(after, 'leadsync_sync_batches_total')).toBeGreaterThan(0);
    expect(sample(after, 'leadsync_sync_batch_size_count')).toBe(sample(after, 'leadsync_sync_batches_total'));
    expect(sample(after, 'leadsync_sync_batch_size_sum')).toBe(3);
    expect(sample(after, 'leadsync_sync_batch_size_bucket', { le: '+Inf' })).toBe(
      sample(after, 'leadsync_sync_batches_total'),
    );
    expect(sample(after, 'leadsync_sync_lead_results_total', { outcome: 'synced' })).toBe(3);
    expect(sample(after, 'leadsync_zoho_calls_total', { endpoint: 'leads.upsert', outcome: 'ok' })).toBeGreaterThan(0);
    // the seeded connection has no access token yet, so the first sync refreshed one
    expect(sample(after, 'leadsync_token_refreshes_total', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(sample(after, 'leadsync_leads', { status: 'synced' })).toBe(3);
    expect(sample(after, 'leadsync_leads', { status: 'failed' })).toBe(0);
    expect(sample(after, 'leadsync_leads_by_source', { source: 'quote_form' })).toBe(3);
    expect(sample(after, 'leadsync_queue_jobs', { queue: 'lead-sync', state: 'completed' })).toBeGreaterThan(0);
    expect(sample(after, 'leadsync_queue_jobs', { queue: 'zoho-token', state: 'failed' })).toBe(0);
  });

  it('alerts a lead that fails permanently, once, when the worker flushes its window', async () => {
    h.sim.control.rejectRecords({ field: 'Last_Name', pattern: 'Rejectme' });
    const [id] = await h.storeLeads(1, () => ({ fields: { name: 'Bad Rejectme', email: 'rejected@example.com' } }));
    await h.triggerDrain();
    await h.waitForStatus('failed', 1);
    // gathered for a minute, so a bad batch is one post; a worker going away posts what it holds
    expect(posts).toEqual([]);
    await alertingWorker.close();
    expect(posts).toEqual([expect.stringMatching(/^\[leadsync\] 1 lead failed permanently \(INVALID_DATA\): /)]);
    expect(posts[0]).toContain(id);

    let results = '';
    await waitFor(async () => {
      results = await scrape();
      return sample(results, 'leadsync_sync_lead_results_total', { outcome: 'failed' }) === 1;
    }, 'the failed lead to be counted');
    expect(sample(results, 'leadsync_leads', { status: 'failed' })).toBe(1);
  });
});
