import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, type IsolatedStack, startIsolatedStack, startRedisServer, withClient } from '@leadsync/local-stack';
import { JOBS, SCHEDULERS } from '@leadsync/queue';
import { call, startTestApi, TEST_CRON_SECRET, type TestApi } from '../testing/harness.js';

// The tests run in order on one database and Redis prefix, each provoking a condition and
// clearing it again, so every one starts from "nothing to recommend" except the first two.
let stack: IsolatedStack;
let api: TestApi;

beforeAll(async () => {
  stack = await startIsolatedStack('api-health-report');
  api = await startTestApi(stack);
});
afterAll(async () => {
  await api?.stop();
  await stack?.teardown();
});

const health = async (target: TestApi = api) => {
  const res = await call(`${target.url}/api/health`, { headers: { authorization: `Bearer ${TEST_CRON_SECRET}` } });
  expect(res.status).toBe(200);
  return res.body;
};
const ids = async (target?: TestApi): Promise<string[]> =>
  (await health(target)).recommendations.map((r: { id: string }) => r.id);
const sql = (text: string, params: unknown[] = []) => withClient(stack.databaseUrl, (c) => c.query(text, params));
const insertLeads = (n: number, status = 'pending') =>
  sql(
    `insert into leads (source, name, email, status)
     select 'quote_form', 'Health Person ' || i, 'health-' || i || '-' || gen_random_uuid() || '@example.com', $2
     from generate_series(1, $1) i`,
    [n, status],
  );

const storedToken = (over: Record<string, unknown> = {}) => ({
  accessTokenCiphertext: 'not-read-by-health',
  refreshTokenCiphertext: 'not-read-by-health',
  accessTokenExpiresAt: new Date(Date.now() + 3_600_000),
  accessTokenIssuedAt: new Date(),
  apiDomain: 'https://www.zohoapis.com',
  accountsServer: 'https://accounts.zoho.com',
  lastRefreshAt: new Date(Date.now() - 60_000),
  lastRefreshErrorCode: null,
  lastRefreshErrorMessage: null,
  lastRefreshErrorAt: null,
  ...over,
});

describe('GET /api/health', () => {
  it('is for operators only', async () => {
    expect((await call(`${api.url}/api/health`)).status).toBe(401);
  });

  it('reports a fresh install: the contract fields, Zoho not connected, no worker schedulers', async () => {
    const report = await health();
    expect(report).toMatchObject({
      status: 'critical',
      checks: { supabase: 'ok', redis: 'ok' },
      token: { exists: false, expires_at: null, last_refresh_at: null, last_refresh_error: null },
      leads: {
        total: 0,
        // every status, 0 included, so dashboards and alerts have a stable series for each
        by_status: { pending: 0, syncing: 0, synced: 0, failed: 0, spam: 0 },
        by_source: {},
        last_24h: 0,
        success_rate: null,
      },
      queues: {
        'lead-sync': expect.objectContaining({ waiting: 0 }),
        'zoho-token': expect.objectContaining({ waiting: 0 }),
      },
      schedulers: { present: [], missing: ['daily-drain', 'token-refresh'] },
    });
    expect(report.recommendations.map((r: { id: string }) => r.id)).toEqual([
      'zoho_not_connected',
      'scheduler_missing:daily-drain',
      'scheduler_missing:token-refresh',
    ]);
    for (const r of report.recommendations)
      expect(r).toEqual({ id: r.id, severity: expect.any(String), message: expect.any(String) });
  });

  it('stops naming schedulers once a worker has upserted them', async () => {
    const { queue: syncQueue } = api.deps.producer;
    await syncQueue.upsertJobScheduler(SCHEDULERS.dailyDrain, { pattern: '0 9 * * *' }, { name: JOBS.syncBatch.name });
    expect(await ids()).toContain('scheduler_missing:token-refresh');
    await api.deps.operations.tokenQueue.upsertJobScheduler(
      SCHEDULERS.tokenRefresh,
      { every: 300_000 },
      { name: JOBS.refreshToken.name },
    );
    const after = await health();
    expect(after.schedulers).toEqual({ present: ['daily-drain', 'token-refresh'], missing: [] });
    expect(after.recommendations.map((r: { id: string }) => r.id)).toEqual(['zoho_not_connected']);
  });

  it('follows the token: connected, refresh failing since its error, revoked, recovered', async () => {
    await api.deps.db.tokens.save(storedToken());
    const connected = await health();
    expect(connected.token).toMatchObject({ exists: true, refresh_failing: false, last_refresh_error: null });
    expect(connected.recommendations).toEqual([]);
    expect(connected.status).toBe('ok');

    const failedAt = new Date();
    await api.deps.db.tokens.recordRefreshFailure({ code: 'invalid_client', message: 'client unknown', at: failedAt });
    const failing = await health();
    expect(failing.token.last_refresh_error).toEqual({
      code: 'invalid_client',
      message: 'client unknown',
      at: expect.any(String),
    });
    expect(Date.parse(failing.token.last_refresh_error.at)).toBe(failedAt.getTime());
    const [rec] = failing.recommendations;
    expect(rec).toMatchObject({ id: 'token_refresh_failing', severity: 'critical' });
    expect(rec.message).toContain('invalid_client');

    await api.deps.db.tokens.recordRefreshFailure({ code: 'invalid_code', message: 'revoked', at: new Date() });
    expect(await ids()).toEqual(['zoho_reauthorize']);

    await api.deps.db.tokens.save(storedToken({ lastRefreshAt: new Date() }));
    expect(await ids()).toEqual([]);
  });

  it('warns when more leads than the threshold (default 50) are pending', async () => {
    await insertLeads(50);
    expect(await ids()).toEqual([]);
    await insertLeads(1);
    const report = await health();
    expect(report.leads.by_status.pending).toBe(51);
    expect(report.recommendations.map((r: { message: string }) => r.message)).toEqual([
      expect.stringMatching(/^51 leads are pending, over the threshold of 50/),
    ]);
    await sql(`delete from leads`);
  });

  it('warns when the oldest pending lead has waited too long', async () => {
    await insertLeads(1);
    expect(await ids()).toEqual([]);
    await sql(`update leads set created_at = now() - interval '3 hours' where status = 'pending'`);
    expect(await ids()).toEqual(['pending_too_old']);
    await sql(`delete from leads`);
  });

  it('warns about a success rate under 80 % once ten leads have a final answer, and tells how to retry', async () => {
    await insertLeads(7, 'synced');
    await insertLeads(2, 'failed');
    // 78 % of nine: too few answers to judge
    expect(await ids()).toEqual(['failed_leads']);
    await insertLeads(1, 'failed');
    const report = await health();
    expect(report.leads.success_rate).toBe(0.7);
    expect(report.recommendations.map((r: { id: string }) => r.id)).toEqual(['success_rate_low', 'failed_leads']);
    expect(report.recommendations[0].message).toContain('70 %');
    expect(report.recommendations[1].message).toContain('3 leads have failed permanently');
  });

  it('reports Redis unreachable without failing itself', async () => {
    const redis = await startRedisServer(await freePort());
    const other = await startTestApi(stack, { REDIS_URL: redis.url });
    try {
      expect(await ids(other)).not.toContain('redis_unreachable');
      await redis.stop();
      const report = await health(other);
      expect(report.checks).toEqual({ supabase: 'ok', redis: 'unavailable' });
      expect(report.queues).toBeNull();
      expect(report.recommendations[0]).toMatchObject({ id: 'redis_unreachable', severity: 'critical' });
    } finally {
      await other.stop();
      await redis.stop();
    }
  });
});
