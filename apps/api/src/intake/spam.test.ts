import { describe, expect, it } from '@jest/globals';
import { FILL_TIME_FIELD, HONEYPOT_FIELD, judgeSpam, needsCaptcha, splitSpamSignals } from './spam.js';

const policy = { minFillMs: 3000 };
const human = { honeypot: '', fillMs: 12_000, captcha: undefined };

describe('judgeSpam', () => {
  it('passes a person: empty honeypot, a human fill time', () => {
    expect(judgeSpam(human, 'not_configured', policy)).toEqual({ spam: false, reasons: [] });
  });

  it('passes a plain HTML form that sent neither signal (no embed on the page)', () => {
    expect(
      judgeSpam({ honeypot: undefined, fillMs: undefined, captcha: undefined }, 'not_configured', policy).spam,
    ).toBe(false);
  });

  it('catches a filled honeypot', () => {
    expect(judgeSpam({ ...human, honeypot: 'https://spam.example' }, 'not_configured', policy)).toEqual({
      spam: true,
      reasons: ['honeypot filled'],
    });
    expect(judgeSpam({ ...human, honeypot: '   ' }, 'not_configured', policy).spam).toBe(false);
    expect(judgeSpam({ ...human, honeypot: ['a', 'b'] }, 'not_configured', policy).spam).toBe(true);
  });

  it('catches a form sent faster than the minimum, at the boundary exactly', () => {
    expect(judgeSpam({ ...human, fillMs: 2999 }, 'not_configured', policy)).toEqual({
      spam: true,
      reasons: ['filled in 2999 ms'],
    });
    expect(judgeSpam({ ...human, fillMs: 3000 }, 'not_configured', policy).spam).toBe(false);
    // a form post carries the number as text
    expect(judgeSpam({ ...human, fillMs: '150' }, 'not_configured', policy).spam).toBe(true);
    expect(judgeSpam({ ...human, fillMs: '4000' }, 'not_configured', policy).spam).toBe(false);
    expect(judgeSpam({ ...human, fillMs: 0 }, 'not_configured', { minFillMs: 0 }).spam).toBe(false);
  });

  it('catches a fill time a person could not have sent', () => {
    for (const fillMs of ['soon', '', null, {}, Number.NaN]) {
      expect(judgeSpam({ ...human, fillMs }, 'not_configured', policy).reasons).toEqual(['fill time unreadable']);
    }
    expect(judgeSpam({ ...human, fillMs: -5 }, 'not_configured', policy).spam).toBe(true);
  });

  it('follows the captcha, and fails open when the provider could not be asked', () => {
    expect(judgeSpam(human, 'passed', policy).spam).toBe(false);
    expect(judgeSpam(human, 'failed', policy).reasons).toEqual(['captcha failed']);
    expect(judgeSpam(human, 'missing', policy).reasons).toEqual(['captcha token missing']);
    expect(judgeSpam(human, 'unavailable', policy).spam).toBe(false);
    expect(judgeSpam({ ...human, honeypot: 'x' }, 'unavailable', policy).spam).toBe(true);
  });

  it('lists every reason', () => {
    expect(judgeSpam({ honeypot: 'x', fillMs: 10, captcha: undefined }, 'failed', policy).reasons).toEqual([
      'honeypot filled',
      'filled in 10 ms',
      'captcha failed',
    ]);
  });
});

describe('splitSpamSignals', () => {
  it('takes the control fields off the body and leaves a real `website` field alone', () => {
    const body = {
      name: 'Ada',
      website: 'https://ada.example',
      [HONEYPOT_FIELD]: '',
      [FILL_TIME_FIELD]: 4200,
      'cf-turnstile-response': 'tok',
    };
    const { signals, rest } = splitSpamSignals(body);
    expect(rest).toEqual({ name: 'Ada', website: 'https://ada.example' });
    expect(signals).toEqual({ honeypot: '', fillMs: 4200, captcha: { provider: 'turnstile', token: 'tok' } });
  });

  it('reads an hCaptcha token from either field its widget fills', () => {
    expect(splitSpamSignals({ 'h-captcha-response': 'h' }).signals.captcha).toEqual({
      provider: 'hcaptcha',
      token: 'h',
    });
    expect(splitSpamSignals({ 'g-recaptcha-response': 'g' }).signals.captcha).toEqual({
      provider: 'hcaptcha',
      token: 'g',
    });
    expect(splitSpamSignals({ 'h-captcha-response': ' ' }).signals.captcha).toBeUndefined();
  });
});

describe('needsCaptcha', () => {
  it('asks the quote form for a token once a secret is configured; never the chatbot', () => {
    expect(needsCaptcha('quote_form', [])).toBe(false);
    expect(needsCaptcha('quote_form', ['turnstile'])).toBe(true);
    expect(needsCaptcha('chatbot', ['turnstile', 'hcaptcha'])).toBe(false);
  });
});
