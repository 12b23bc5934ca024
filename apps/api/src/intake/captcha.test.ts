import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '@leadsync/config';
import { DEFAULTS, deleteKeysUnder } from '@leadsync/local-stack';
import { Redis } from 'ioredis';
import { createApiRedis } from '../redis.js';
import {
  type CaptchaSettings,
  captchaSettings,
  createCaptchaVerifier,
  redisVerdictMemo,
  VERDICT_TTL_S,
  type VerdictMemo,
} from './captcha.js';

/** A local siteverify: answers from a script and records each form it was sent. */
let server: Server;
let url: string;
let seen: URLSearchParams[];
let reply: { status: number; body: unknown };

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      seen.push(new URLSearchParams(raw));
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/siteverify`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await deleteKeysUnder(redis, prefix);
  redis.disconnect();
  nowhereRedis.disconnect();
});
beforeEach(() => {
  seen = [];
  reply = { status: 200, body: { success: true } };
});

/** The real Redis, under a prefix of this run's own; and a Redis client whose server is gone. */
const redis = new Redis(process.env.REDIS_URL ?? DEFAULTS.redisUrl);
const prefix = `test:captcha:${randomUUID().slice(0, 8)}`;
const nowhereRedis = createApiRedis(
  { REDIS_URL: 'redis://127.0.0.1:1' },
  createLogger({ name: 'captcha-test', level: 'silent' }),
);

const logger = createLogger({ name: 'captcha-test', level: 'silent' });
const turnstileOnly = (): CaptchaSettings => ({ turnstile: { secret: 'ts-secret', verifyUrl: url }, timeoutMs: 2000 });
const memo = (): VerdictMemo => redisVerdictMemo(redis, prefix);
const token = (provider: 'turnstile' | 'hcaptcha', t = 'tok') => ({ provider, token: t });

describe('createCaptchaVerifier', () => {
  it('asks nothing when no secret is configured', async () => {
    const v = createCaptchaVerifier({ timeoutMs: 2000 }, logger, memo());
    expect(await v.check('quote_form', token('turnstile'))).toBe('not_configured');
    expect(seen).toEqual([]);
  });

  it('posts secret, token and address to siteverify and follows its answer', async () => {
    const v = createCaptchaVerifier(turnstileOnly(), logger, memo());
    expect(await v.check('quote_form', token('turnstile', 'abc'), '203.0.113.9')).toBe('passed');
    expect(Object.fromEntries(seen[0]!)).toEqual({ secret: 'ts-secret', response: 'abc', remoteip: '203.0.113.9' });
    reply = { status: 200, body: { success: false, 'error-codes': ['invalid-input-response'] } };
    expect(await v.check('quote_form', token('turnstile'))).toBe('failed');
  });

  it('calls a missing token, or one for a provider without a secret, missing', async () => {
    const v = createCaptchaVerifier(turnstileOnly(), logger, memo());
    expect(await v.check('quote_form', undefined)).toBe('missing');
    expect(await v.check('quote_form', token('hcaptcha'))).toBe('missing');
    expect(seen).toEqual([]);
  });

  it('never asks for the chatbot', async () => {
    const v = createCaptchaVerifier(turnstileOnly(), logger, memo());
    expect(await v.check('chatbot', undefined)).toBe('not_configured');
  });

  it('reports the provider unavailable on a 5xx, an unreachable URL, or our own secret refused', async () => {
    reply = { status: 502, body: {} };
    expect(await createCaptchaVerifier(turnstileOnly(), logger, memo()).check('quote_form', token('turnstile'))).toBe(
      'unavailable',
    );
    reply = { status: 200, body: { success: false, 'error-codes': ['invalid-input-secret'] } };
    expect(await createCaptchaVerifier(turnstileOnly(), logger, memo()).check('quote_form', token('turnstile'))).toBe(
      'unavailable',
    );
    const nowhere = createCaptchaVerifier(
      { hcaptcha: { secret: 'h', verifyUrl: 'http://127.0.0.1:1/siteverify' }, timeoutMs: 2000 },
      logger,
      memo(),
    );
    expect(await nowhere.check('quote_form', token('hcaptcha'))).toBe('unavailable');
  });
});

describe('a keyed request keeps a verdict that let it through', () => {
  const request = () => ({ idempotencyKey: randomUUID(), fingerprint: 'body-hash' });

  it('answers a retry of the same key and body from Redis, without spending the token again', async () => {
    const v = createCaptchaVerifier(turnstileOnly(), logger, memo());
    const r = request();
    expect(await v.check('quote_form', token('turnstile', 'once'), undefined, r)).toBe('passed');
    reply = { status: 200, body: { success: false, 'error-codes': ['timeout-or-duplicate'] } };
    expect(await v.check('quote_form', token('turnstile', 'once'), undefined, r)).toBe('passed');
    expect(await v.check('quote_form', token('turnstile', 'fresh'), undefined, r)).toBe('passed');
    expect(seen.map((f) => f.get('response'))).toEqual(['once']);
    // another body under the key, another key, a request without a key: each judged on its token
    expect(await v.check('quote_form', token('turnstile', 'once'), undefined, { ...r, fingerprint: 'other' })).toBe(
      'failed',
    );
    expect(await v.check('quote_form', token('turnstile', 'once'), undefined, request())).toBe('failed');
    expect(await v.check('quote_form', token('turnstile', 'once'))).toBe('failed');
    expect(seen).toHaveLength(4);
  });

  it('keeps a fail-open verdict too, and never a refusal', async () => {
    const v = createCaptchaVerifier(turnstileOnly(), logger, memo());
    const down = request();
    reply = { status: 503, body: {} };
    expect(await v.check('quote_form', token('turnstile'), undefined, down)).toBe('unavailable');
    reply = { status: 200, body: { success: false, 'error-codes': ['timeout-or-duplicate'] } };
    expect(await v.check('quote_form', token('turnstile'), undefined, down)).toBe('unavailable');

    const refused = request();
    expect(await v.check('quote_form', token('turnstile', 'expired'), undefined, refused)).toBe('failed');
    // the embed brings a fresh token for an expired one: it is judged, not the old refusal
    reply = { status: 200, body: { success: true } };
    expect(await v.check('quote_form', token('turnstile', 'fresh'), undefined, refused)).toBe('passed');
  });

  it('stores it under the prefix for as long as the key is honoured', async () => {
    const own = `${prefix}:${randomUUID().slice(0, 8)}`;
    const r = request();
    const v = createCaptchaVerifier(turnstileOnly(), logger, redisVerdictMemo(redis, own));
    await v.check('quote_form', token('turnstile'), undefined, r);
    const [key, ...more] = await redis.keys(`${own}:captcha:*`);
    expect(more).toEqual([]);
    expect(key).not.toContain(r.idempotencyKey);
    expect(await redis.ttl(key!)).toBeGreaterThan(VERDICT_TTL_S - 60);
    expect(VERDICT_TTL_S).toBeGreaterThanOrEqual(24 * 3600);
  });

  it('with Redis unreachable judges every token and still answers', async () => {
    const v = createCaptchaVerifier(turnstileOnly(), logger, redisVerdictMemo(nowhereRedis, prefix));
    const r = request();
    expect(await v.check('quote_form', token('turnstile'), undefined, r)).toBe('passed');
    expect(await v.check('quote_form', token('turnstile'), undefined, r)).toBe('passed');
    expect(seen).toHaveLength(2);
  });
});

describe('captchaSettings', () => {
  it('turns a provider on by its secret alone', () => {
    const base = {
      TURNSTILE_VERIFY_URL: 'https://t.example/v',
      HCAPTCHA_VERIFY_URL: 'https://h.example/v',
      CAPTCHA_TIMEOUT_MS: 3000,
    };
    expect(captchaSettings(base)).toEqual({ turnstile: undefined, hcaptcha: undefined, timeoutMs: 3000 });
    expect(captchaSettings({ ...base, HCAPTCHA_SECRET: 's' }).hcaptcha).toEqual({
      secret: 's',
      verifyUrl: 'https://h.example/v',
    });
  });
});
