import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '@leadsync/config';
import { type CaptchaSettings, captchaSettings, createCaptchaVerifier } from './captcha.js';

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
afterAll(() => new Promise((r) => server.close(r)));
beforeEach(() => {
  seen = [];
  reply = { status: 200, body: { success: true } };
});

const logger = createLogger({ name: 'captcha-test', level: 'silent' });
const turnstileOnly = (): CaptchaSettings => ({ turnstile: { secret: 'ts-secret', verifyUrl: url }, timeoutMs: 2000 });
const token = (provider: 'turnstile' | 'hcaptcha', t = 'tok') => ({ provider, token: t });

describe('createCaptchaVerifier', () => {
  it('asks nothing when no secret is configured', async () => {
    const v = createCaptchaVerifier({ timeoutMs: 2000 }, logger);
    expect(await v.check('quote_form', token('turnstile'))).toBe('not_configured');
    expect(seen).toEqual([]);
  });

  it('posts secret, token and address to siteverify and follows its answer', async () => {
    const v = createCaptchaVerifier(turnstileOnly(), logger);
    expect(await v.check('quote_form', token('turnstile', 'abc'), '203.0.113.9')).toBe('passed');
    expect(Object.fromEntries(seen[0]!)).toEqual({ secret: 'ts-secret', response: 'abc', remoteip: '203.0.113.9' });
    reply = { status: 200, body: { success: false, 'error-codes': ['invalid-input-response'] } };
    expect(await v.check('quote_form', token('turnstile'))).toBe('failed');
  });

  it('calls a missing token, or one for a provider without a secret, missing', async () => {
    const v = createCaptchaVerifier(turnstileOnly(), logger);
    expect(await v.check('quote_form', undefined)).toBe('missing');
    expect(await v.check('quote_form', token('hcaptcha'))).toBe('missing');
    expect(seen).toEqual([]);
  });

  it('never asks for the chatbot', async () => {
    const v = createCaptchaVerifier(turnstileOnly(), logger);
    expect(await v.check('chatbot', undefined)).toBe('not_configured');
  });

  it('reports the provider unavailable on a 5xx, an unreachable URL, or our own secret refused', async () => {
    reply = { status: 502, body: {} };
    expect(await createCaptchaVerifier(turnstileOnly(), logger).check('quote_form', token('turnstile'))).toBe(
      'unavailable',
    );
    reply = { status: 200, body: { success: false, 'error-codes': ['invalid-input-secret'] } };
    expect(await createCaptchaVerifier(turnstileOnly(), logger).check('quote_form', token('turnstile'))).toBe(
      'unavailable',
    );
    const nowhere = createCaptchaVerifier(
      { hcaptcha: { secret: 'h', verifyUrl: 'http://127.0.0.1:1/siteverify' }, timeoutMs: 2000 },
      logger,
    );
    expect(await nowhere.check('quote_form', token('hcaptcha'))).toBe('unavailable');
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
