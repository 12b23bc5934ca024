import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, type IsolatedStack, startIsolatedStack, startRedisServer, waitFor } from '@leadsync/local-stack';
import { type Answer, call, countLeads, leadRow, postJson, startTestApi, type TestApi } from './testing/harness.js';

let stack: IsolatedStack;

beforeAll(async () => {
  stack = await startIsolatedStack('api-faults');
});
afterAll(async () => {
  await stack?.teardown();
});

const quote = () => ({ name: 'Ada Lovelace', email: `ada.${randomUUID().slice(0, 8)}@example.com` });

function expectAccepted(res: Answer): string {
  expect(res.status).toBe(202);
  expect(res.body).toEqual({ id: expect.any(String), status: 'pending' });
  return res.body.id;
}

describe('Redis down', () => {
  it('still stores leads (202, pending), lets them past the rate limit, and reports not ready', async () => {
    const redis = await startRedisServer(await freePort());
    const api = await startTestApi(stack, { REDIS_URL: redis.url, INTAKE_RATE_LIMIT: '2' });
    try {
      expectAccepted(await postJson(`${api.url}/api/store-lead`, quote()));
      await redis.stop();
      await waitFor(async () => api.deps.redis.status !== 'ready', 'the API to notice Redis is gone');

      // more than the limit: with its store unreachable the limiter steps aside
      for (let i = 0; i < 3; i++) {
        const id = expectAccepted(await postJson(`${api.url}/api/store-lead`, quote()));
        expect(await leadRow(stack, id)).toMatchObject({ status: 'pending' });
        expect(api.nudged).not.toContain(id);
      }
      // spam too: held in the database, answered like a lead; its Bull Board job waits for the
      // worker's reconciliation
      const spam = expectAccepted(
        await postJson(`${api.url}/api/store-lead`, { ...quote(), leadsync_website: 'https://spam.example' }),
      );
      expect(await leadRow(stack, spam)).toMatchObject({ status: 'spam' });

      const ready = await call(`${api.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'unavailable', checks: { redis: 'unavailable', supabase: 'ok' } });
    } finally {
      await api.stop();
      await redis.stop();
    }
  });

  it('enforces the rate limit once a Redis that was down at start-up comes up', async () => {
    const port = await freePort();
    const api = await startTestApi(
      stack,
      { REDIS_URL: `redis://127.0.0.1:${port}`, INTAKE_RATE_LIMIT: '2' },
      {
        waitForRedis: false,
      },
    );
    const redis = await startRedisServer(port);
    try {
      await waitFor(async () => api.deps.redis.status === 'ready', 'the API to reconnect to Redis');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await postJson(`${api.url}/api/store-lead`, quote())).status);
      // rate-limit-redis alone would keep its failed script load forever and never limit again
      expect(statuses).toEqual([202, 202, 429, 429]);
    } finally {
      await api.stop();
      await redis.stop();
    }
  });
});

describe('Supabase down', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(stack);
  });
  afterAll(() => api?.stop());

  async function expectUnavailable() {
    const before = await countLeads(stack);
    const res = await postJson(`${api.url}/api/store-lead`, quote(), { 'idempotency-key': randomUUID() });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'unavailable', message: expect.any(String) });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await countLeads(stack)).toBe(before);
    const ready = await call(`${api.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toEqual({ redis: 'ok', supabase: 'unavailable' });
  }

  it('answers 503 with Retry-After and stores nothing while PostgREST is stopped', async () => {
    await stack.stopPostgrest();
    try {
      await expectUnavailable();
    } finally {
      await stack.startPostgrest();
    }
    expectAccepted(await postJson(`${api.url}/api/store-lead`, quote()));
  });

  it('answers 503 with Retry-After and stores nothing while the gateway is stopped', async () => {
    await stack.stopGateway();
    try {
      await expectUnavailable();
    } finally {
      await stack.startGateway();
    }
    expectAccepted(await postJson(`${api.url}/api/store-lead`, quote()));
  });

  it('answers the admin read with 503 too, never a 500', async () => {
    await stack.stopPostgrest();
    try {
      const res = await call(`${api.url}/api/leads/${randomUUID()}`, {
        headers: { authorization: `Bearer ${api.deps.config.CRON_SECRET}` },
      });
      expect(res.status).toBe(503);
    } finally {
      await stack.startPostgrest();
    }
  });
});
