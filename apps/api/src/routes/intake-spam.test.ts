import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type IsolatedStack, startIsolatedStack } from '@leadsync/local-stack';
import { call, leadRow, postJson, startTestApi, TEST_CRON_SECRET, type TestApi } from '../testing/harness.js';

// The spam filter through HTTP: honeypot, fill time and a Turnstile check against a local
// siteverify (TURNSTILE_VERIFY_URL), so no test talks to Cloudflare.

let stack: IsolatedStack;
let api: TestApi;
let siteverify: Server;
let verifyAnswer: { status: number; body: unknown };
let verified: URLSearchParams[];

beforeAll(async () => {
  siteverify = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const form = new URLSearchParams(raw);
      verified.push(form);
      const body = form.get('response') === 'good-token' ? { success: true } : verifyAnswer.body;
      res.writeHead(verifyAnswer.status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => siteverify.listen(0, '127.0.0.1', r));
  stack = await startIsolatedStack('api-intake-spam');
  api = await startTestApi(stack, {
    SPAM_MIN_FILL_MS: '3000',
    TURNSTILE_SECRET_KEY: 'turnstile-test-secret',
    TURNSTILE_VERIFY_URL: `http://127.0.0.1:${(siteverify.address() as AddressInfo).port}/siteverify`,
  });
});
afterAll(async () => {
  await api?.stop();
  await stack?.teardown();
  await new Promise((r) => siteverify?.close(r));
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
  'cf-turnstile-response': 'good-token',
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
    const res = await postJson(`${api.url}/api/store-lead`, person());
    const row = await leadRow(stack, res.body.id);
    expect(row?.status).toBe('pending');
    expect(row?.raw_payload).toEqual({ name: 'Ada Lovelace', email: row?.email, website: 'https://ada.example' });
    expect(verified.map((f) => [f.get('secret'), f.get('response')])).toEqual([
      ['turnstile-test-secret', 'good-token'],
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
      'cf-turnstile-response': 'good-token',
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
    expect(api.nudged).toContain(id);
  });
});
