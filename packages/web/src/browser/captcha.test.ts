import { describe, expect, it } from '@jest/globals';
import { CAPTCHAS, expiredCaptcha, withToken } from './captcha.js';
import type { Submission } from './outbox.js';

const MIN = 60_000;
const submission = (body: Record<string, unknown>, over: Partial<Submission> = {}): Submission => ({
  key: 'k',
  url: 'https://api.example.com/api/store-lead',
  body,
  createdAt: 0,
  failures: 1,
  nextAt: 0,
  ...over,
});
const [turnstile, hcaptcha] = CAPTCHAS;

describe('expiredCaptcha', () => {
  it('finds a Turnstile token past 300 s and an hCaptcha one past 120 s, counted from Send', () => {
    const ts = submission({ 'cf-turnstile-response': 't' });
    expect(expiredCaptcha(ts, 5 * MIN)).toBeUndefined();
    expect(expiredCaptcha(ts, 5 * MIN + 1)).toBe(turnstile);
    const hc = submission({ 'h-captcha-response': 'h', 'g-recaptcha-response': 'h' });
    expect(expiredCaptcha(hc, 2 * MIN)).toBeUndefined();
    expect(expiredCaptcha(hc, 2 * MIN + 1)).toBe(hcaptcha);
  });

  it('counts the time the form was open before Send, up to one lifetime (the widget renews its own)', () => {
    const slow = submission({ 'cf-turnstile-response': 't', _ls_fill_ms: 4 * MIN });
    expect(expiredCaptcha(slow, MIN)).toBeUndefined();
    expect(expiredCaptcha(slow, MIN + 1)).toBe(turnstile);
    const slower = submission({ 'cf-turnstile-response': 't', _ls_fill_ms: 60 * MIN });
    expect(expiredCaptcha(slower, 0)).toBeUndefined(); // at Send itself the form's token is live
    expect(expiredCaptcha(slower, 1)).toBe(turnstile);
    expect(expiredCaptcha(submission({ 'cf-turnstile-response': 't', _ls_fill_ms: 'x' }), 5 * MIN)).toBeUndefined();
  });

  it('counts from the renewal once the embed put a fresh token in', () => {
    expect(
      expiredCaptcha(submission({ 'cf-turnstile-response': 't' }, { tokenAt: 10 * MIN }), 14 * MIN),
    ).toBeUndefined();
  });

  it('finds nothing in a submission without a token (the chatbot, a form without a widget)', () => {
    expect(expiredCaptcha(submission({ email: 'a@example.com' }), 60 * MIN)).toBeUndefined();
    expect(expiredCaptcha(submission({ 'cf-turnstile-response': '' }), 60 * MIN)).toBeUndefined();
  });
});

describe('withToken', () => {
  it('replaces every field the widget fills, keeps the key and notes when', () => {
    const s = submission({ email: 'a@example.com', 'h-captcha-response': 'old', 'g-recaptcha-response': 'old' });
    expect(withToken(s, hcaptcha!, 'new', 7)).toEqual({
      ...s,
      body: { email: 'a@example.com', 'h-captcha-response': 'new', 'g-recaptcha-response': 'new' },
      tokenAt: 7,
    });
    expect(withToken(submission({ 'cf-turnstile-response': 'old' }), turnstile!, 'new', 7).body).toEqual({
      'cf-turnstile-response': 'new',
    });
  });
});
