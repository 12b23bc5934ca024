import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { freePort, type IsolatedStack, startIsolatedStack, startRedisServer, waitFor } from '@leadsync/local-stack';
import { JOBS } from '@leadsync/queue';
import { call, leadRow, postJson, startTestApi, TEST_CRON_SECRET, type TestApi } from '../testing/harness.js';

// The spam filter through HTTP: honeypot, fill time and a Turnstile check against a local
// siteverify (TURNSTILE_VERIFY_URL), so no test talks to Cloudflare. Like Cloudflare's, it takes
// each token once: a `good-…` token seen before is refused as timeout-or-duplicate.

let stack: IsolatedStack;
let api: TestApi;
let siteverify: Server;
let verifyAnswer: { status: number; body: unknown };
let verified: URLSearchParams[];
const spent = new Set<string>();

beforeAll(async () => {
  siteverify = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const form = new URLSearchParams(raw);
      verified.push(form);
      const token = form.get('response') ?? '';
      const body = !token.startsWith('good-')
        ? verifyAnswer.body
        : spent.has(token)
          ? { success: false, 'error-codes': ['timeout-or-duplicate'] }
          : { success: true };
      spent.add(token);
      res.writeHead(verifyAnswer.status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => siteverify.listen(0, '127.0.0.1', r));
  stack = await startIsolatedStack('api-intake-spam');
  api = await startTestApi(stack, turnstileEnv());
});
afterAll(async () => {
  await api?.stop();
  await stack?.teardown();
  await new Promise((r) => siteverify?.close(r));
});
const turnstileEnv = () => ({
  SPAM_MIN_FILL_MS: '3000',
  TURNSTILE_SECRET_KEY: 'turnstile-test-secret',
  TURNSTILE_VERIFY_URL: `http://127.0.0.1:${(siteverify.address() as AddressInfo).port}/siteverify`,
});
beforeEach(() => {
  verified = [];
  verifyAnswer = { status: 200, body: { success: false, 'error-codes': ['invalid-input-response'] } };
});

const email = () => `ada.${randomUUID().slice(0, 8)}@example.com`;
/** What the embed posts for a person: empty honeypot, a human fill time, a solved Turnstile. */
const person = (over: Record<string, unknown> = {}) => ({
  name: 'Ada Lovelace',
  email: email(),
  website: 'https://ada.example',
  leadsync_website: '',
  _ls_fill_ms: 8000,
  'cf-turnstile-response': `good-${randomUUID()}`,
  ...over,
});

async function statusOf(body: Record<string, unknown>, path = '/api/store-lead'): Promise<string> {
  const res = await postJson(`${api.url}${path}`, body);
  // whatever the verdict, the answer is the same: a bot learns nothing
  expect(res.status).toBe(202);
  expect(res.body).toEqual({ id: expect.any(String), status: 'pending' });
  return String((await leadRow(stack, res.body.id))?.status);
}

describe('intake judges spam', () => {
  it('stores a person as pending, without the spam-check fields, keeping their own `website`', async () => {
    const body = person();
    const res = await postJson(`${api.url}/api/store-lead`, body);
    const row = await leadRow(stack, res.body.id);
    expect(row?.status).toBe('pending');
    expect(row?.raw_payload).toEqual({ name: 'Ada Lovelace', email: row?.email, website: 'https://ada.example' });
    expect(verified.map((f) => [f.get('secret'), f.get('response')])).toEqual([
      ['turnstile-test-secret', body['cf-turnstile-response']],
    ]);
    expect(api.nudged).toContain(res.body.id);
  });

  it('holds a filled honeypot, a hasty fill and a refused or missing captcha as spam, and nudges no worker', async () => {
    const before = api.nudged.length;
    expect(await statusOf(person({ leadsync_website: 'https://spam.example' }))).toBe('spam');
    expect(await statusOf(person({ _ls_fill_ms: 400 }))).toBe('spam');
    expect(await statusOf(person({ 'cf-turnstile-response': 'forged' }))).toBe('spam');
    expect(await statusOf(person({ 'cf-turnstile-response': undefined }))).toBe('spam');
    expect(api.nudged.length).toBe(before);
  });

  it('judges an HTML form post (urlencoded) the same way', async () => {
    const form = new URLSearchParams({
      name: 'Bot',
      email: email(),
      leadsync_website: 'x',
      _ls_fill_ms: '9000',
      'cf-turnstile-response': `good-${randomUUID()}`,
    });
    const res = await call(`${api.url}/api/store-lead`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    expect((await leadRow(stack, res.body.id))?.status).toBe('spam');
  });

  it('lets leads through as pending when the captcha provider is down (fail open)', async () => {
    verifyAnswer = { status: 503, body: {} };
    expect(await statusOf(person({ 'cf-turnstile-response': 'unverifiable' }))).toBe('pending');
  });

  it('asks no captcha of the chatbot', async () => {
    expect(await statusOf({ email: email(), transcript: 'hi', _ls_fill_ms: 9000 }, '/api/chatbot-leads')).toBe(
      'pending',
    );
    expect(verified).toEqual([]);
  });

  it('still answers a validation failure first, without asking the captcha provider', async () => {
    const res = await postJson(`${api.url}/api/store-lead`, person({ email: 'not-an-address' }));
    expect(res.status).toBe(422);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual(['email']);
    expect(verified).toEqual([]);
  });
});

describe('a retry keeps the captcha verdict of its first attempt', () => {
  const storeLead = (target: TestApi, body: Record<string, unknown>, key: string) =>
    postJson(`${target.url}/api/store-lead`, body, { 'idempotency-key': key });
  /** The first attempt as the issue reproduced it: verified, then Supabase unreachable. */
  async function firstAttemptAnswers503(target: TestApi, body: Record<string, unknown>, key: string) {
    await stack.stopPostgrest();
    try {
      expect((await storeLead(target, body, key)).status).toBe(503);
    } finally {
      await stack.startPostgrest();
    }
  }
  const tokensAsked = () => verified.map((f) => f.get('response'));
  /** The first attempt answered 503, then retried under its key (with `retryBody`): the lead it stored. */
  async function retriedAfter503(target: TestApi, body: Record<string, unknown>, retryBody = body) {
    const key = randomUUID();
    await firstAttemptAnswers503(target, body, key);
    const retry = await storeLead(target, retryBody, key);
    expect(retry.status).toBe(202);
    return { id: String(retry.body.id), status: (await leadRow(stack, retry.body.id))?.status };
  }

  it('stores the retry after a 503, same key, body and token, as pending without asking siteverify again', async () => {
    const body = person();
    const retry = await retriedAfter503(api, body);
    expect(retry.status).toBe('pending');
    expect(tokensAsked()).toEqual([body['cf-turnstile-response']]);
    expect(api.nudged).toContain(retry.id);
  });

  it('also when the retry brings a fresh token (the embed refreshed an old one)', async () => {
    const body = person();
    const retry = await retriedAfter503(api, body, { ...body, 'cf-turnstile-response': `good-${randomUUID()}` });
    expect(retry.status).toBe('pending');
    expect(tokensAsked()).toEqual([body['cf-turnstile-response']]);
  });

  it('lends the verdict to no other body under that key, nor to the same body under another key', async () => {
    const key = randomUUID();
    const body = person();
    await firstAttemptAnswers503(api, body, key);
    // the spent token replayed: with another body under the key, and with the body under another key
    const otherBody = await storeLead(api, { ...body, name: 'Mallory' }, key);
    expect((await leadRow(stack, otherBody.body.id))?.status).toBe('spam');
    const otherKey = await storeLead(api, body, randomUUID());
    expect((await leadRow(stack, otherKey.body.id))?.status).toBe('spam');
    expect(tokensAsked()).toEqual(Array(3).fill(body['cf-turnstile-response']));
  });

  it('remembers the verdict in Redis under the configured prefix for at least 24 hours', async () => {
    const res = await storeLead(api, person(), randomUUID());
    expect(res.status).toBe(202);
    const keys = await api.deps.redis.keys(`${stack.redisPrefix}:captcha:*`);
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const k of keys) expect(await api.deps.redis.ttl(k)).toBeGreaterThan(24 * 3600 - 60);
  });

  it('with Redis down still answers: stored as pending, and only a retry after a 503 as well is judged again', async () => {
    const redis = await startRedisServer(await freePort());
    const own = await startTestApi(stack, { ...turnstileEnv(), REDIS_URL: redis.url });
    try {
      await redis.stop();
      await waitFor(async () => own.deps.redis.status !== 'ready', 'the API to notice Redis is gone');
      const stored = await storeLead(own, person(), randomUUID());
      expect(stored.status).toBe(202);
      expect((await leadRow(stack, stored.body.id))?.status).toBe('pending');

      // Redis and Supabase down at once: the verdict could not be kept, the spent token is refused
      expect((await retriedAfter503(own, person())).status).toBe('spam');
    } finally {
      await own.stop();
      await redis.stop();
    }
  });
});

describe('an operator releases a spam lead', () => {
  it('puts it back to pending with POST /api/admin/leads/:id/retry, and health counts what is held', async () => {
    const res = await postJson(`${api.url}/api/store-lead`, person({ leadsync_website: 'x' }));
    const id = res.body.id;
    const health = await call(`${api.url}/api/health`, { headers: { authorization: `Bearer ${TEST_CRON_SECRET}` } });
    expect(health.body.leads.by_status.spam).toBeGreaterThanOrEqual(1);
    expect(health.body.recommendations).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'spam_held', severity: 'info' })]),
    );

    const released = await call(`${api.url}/api/admin/leads/${id}/retry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_CRON_SECRET}` },
    });
    expect(released.status).toBe(200);
    expect(released.body).toEqual({ id, status: 'pending' });
    expect((await leadRow(stack, id))?.status).toBe('pending');
    // an operator's batch job ("admin"), which a worker in either mode runs
    const waiting = await api.deps.producer.queue.getJobs(['waiting']);
    expect(waiting.map((j) => [j.name, j.data.reason])).toContainEqual([JOBS.syncBatch.name, 'admin']);
  });
});
