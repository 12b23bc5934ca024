import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type IsolatedStack, startIsolatedStack, withClient } from '@leadsync/local-stack';
import { JOBS } from '@leadsync/queue';
import { createApp } from '../app.js';
import { call, leadRow, postJson, startTestApi, TEST_CRON_SECRET, type TestApi } from '../testing/harness.js';
import { adminRoutes } from './admin.js';

// No worker runs here: these tests see what the API does (jobs queued, leads moved); the drain
// itself, and ?wait=true with a real outcome, are in tests/e2e/admin-sync.test.ts.
let stack: IsolatedStack;
let api: TestApi;
const ADMIN = { authorization: `Bearer ${TEST_CRON_SECRET}` };

beforeAll(async () => {
  stack = await startIsolatedStack('api-admin');
  api = await startTestApi(stack);
});
afterAll(async () => {
  await api?.stop();
  await stack?.teardown();
});

async function insertLead(status: string): Promise<string> {
  const { rows } = await withClient(stack.databaseUrl, (c) =>
    c.query(
      `insert into leads (source, name, email, status, attempts, last_error_code, last_error_message)
       values ('quote_form', 'Retry Person', $1, $2, 3, 'INVALID_DATA', 'rejected') returning id`,
      [`retry-${randomUUID()}@example.com`, status],
    ),
  );
  return rows[0].id;
}

describe('POST /api/admin/leads/:id/retry', () => {
  it.each(['failed', 'spam'])('puts a %s lead back to pending and starts a batch job for it', async (status) => {
    const id = await insertLead(status);
    const before = await api.deps.producer.queue.getJobCounts('waiting');
    const res = await call(`${api.url}/api/admin/leads/${id}/retry`, { method: 'POST', headers: ADMIN });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id, status: 'pending' });
    expect(await leadRow(stack, id)).toMatchObject({ status: 'pending', attempts: 0, last_error_code: null });
    // an operator's job ("admin"), so a daily-mode worker runs it too
    const waiting = await api.deps.producer.queue.getJobs(['waiting']);
    expect(waiting.length).toBe(before.waiting! + 1);
    expect(waiting.map((j) => [j.name, j.data.reason])).toContainEqual([JOBS.syncBatch.name, 'admin']);
  });

  it('answers 409 for a lead that is not failed or spam, and leaves it alone', async () => {
    const id = await insertLead('synced');
    const res = await call(`${api.url}/api/admin/leads/${id}/retry`, { method: 'POST', headers: ADMIN });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: 'not_retryable', status: 'synced' });
    expect(await leadRow(stack, id)).toMatchObject({ status: 'synced', attempts: 3 });
  });

  it('answers 404 for an unknown lead and 400 for a malformed id', async () => {
    const unknown = await call(`${api.url}/api/admin/leads/${randomUUID()}/retry`, { method: 'POST', headers: ADMIN });
    expect(unknown.status).toBe(404);
    const malformed = await call(`${api.url}/api/admin/leads/not-a-uuid/retry`, { method: 'POST', headers: ADMIN });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('invalid_id');
  });
});

describe('POST /api/admin/sync', () => {
  it('queues a batch job that starts a drain, with the limit and force_refresh asked for', async () => {
    const res = await postJson(`${api.url}/api/admin/sync`, { limit: 250, force_refresh: true }, ADMIN);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ job_id: expect.any(String), status: 'queued' });
    const job = await api.deps.producer.queue.getJob(res.body.job_id);
    expect(job?.name).toBe(JOBS.syncBatch.name);
    expect(job?.data).toEqual({ reason: 'admin', limit: 250, forceRefresh: true });
  });

  it('takes an empty body (curl -X POST with nothing)', async () => {
    const res = await call(`${api.url}/api/admin/sync`, { method: 'POST', headers: ADMIN });
    expect(res.status).toBe(202);
    const job = await api.deps.producer.queue.getJob(res.body.job_id);
    expect(job?.data).toEqual({ reason: 'admin' });
  });

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: -3 }, 'limit'],
    [{ limit: 1.5 }, 'limit'],
    [{ limit: 100_001 }, 'limit'],
    [{ limit: '10' }, 'limit'],
    [{ force_refresh: 'yes' }, 'force_refresh'],
    [{ force_refresh: true, limt: 5 }, ''],
  ])('answers 422 to %j', async (body, path) => {
    const before = await api.deps.producer.queue.count();
    const res = await postJson(`${api.url}/api/admin/sync`, body, ADMIN);
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('validation_failed');
    expect(res.body.issues[0].path).toBe(path);
    expect(await api.deps.producer.queue.count()).toBe(before);
  });

  it('answers 422 to a bad wait and 400 to malformed JSON', async () => {
    expect((await postJson(`${api.url}/api/admin/sync?wait=soon`, {}, ADMIN)).status).toBe(422);
    const malformed = await call(`${api.url}/api/admin/sync`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: '{"limit":',
    });
    expect(malformed.status).toBe(400);
  });

  it('with ?wait=true, answers 202 "running" when no worker finishes the drain in time', async () => {
    // the same deps, with the wait shortened from 60 s
    const app = createApp(api.deps, [
      (deps, shared) =>
        adminRoutes({
          ...deps,
          attention: deps.operations.attention,
          requireAdmin: shared.requireAdmin,
          waitMs: 300,
        }),
    ]);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await postJson(`http://127.0.0.1:${port}/api/admin/sync?wait=true`, {}, ADMIN);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ job_id: expect.any(String), status: 'running' });
      expect(await api.deps.producer.queue.getJobState(res.body.job_id)).toBe('waiting');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
