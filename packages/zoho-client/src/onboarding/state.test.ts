import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { issueState, nonceMatches, STATE_TTL_MS, stateKey, verifyState } from './state.js';

const key = stateKey('a-cron-secret-of-some-length');
const NOW = Date.UTC(2026, 0, 1);

describe('OAuth state', () => {
  it('verifies what it issued, with its nonce and channel, until it expires', () => {
    const issued = issueState(key, 'browser', NOW);
    expect(verifyState(key, issued.state, NOW + STATE_TTL_MS - 1)).toEqual({
      ok: true,
      nonce: issued.nonce,
      channel: 'browser',
      expiresAt: new Date(NOW + STATE_TTL_MS),
    });
    expect(verifyState(key, issued.state, NOW + STATE_TTL_MS)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyState(key, issueState(key, 'cli', NOW).state, NOW)).toMatchObject({ ok: true, channel: 'cli' });
  });

  it('gives every state its own nonce', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => issueState(key, 'browser', NOW).nonce));
    expect(nonces.size).toBe(50);
  });

  it('refuses a state signed under another secret', () => {
    const other = issueState(stateKey('another-cron-secret-value'), 'browser', NOW);
    expect(verifyState(key, other.state, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses an edited payload, even a longer expiry', () => {
    const { state } = issueState(key, 'browser', NOW);
    const [payload, signature] = state.split('.') as [string, string];
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const edited = Buffer.from(JSON.stringify({ ...decoded, exp: decoded.exp + 86_400_000 })).toString('base64url');
    expect(verifyState(key, `${edited}.${signature}`, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    const cli = Buffer.from(JSON.stringify({ ...decoded, c: 'cli' })).toString('base64url');
    expect(verifyState(key, `${cli}.${signature}`, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it.each([
    ['', 'missing'],
    [undefined, 'missing'],
    ['no-dot', 'malformed'],
    ['a.b.c', 'malformed'],
    ['.sig', 'malformed'],
    ['payload.', 'malformed'],
    ['payload.c2hvcnQ', 'bad_signature'],
  ])('refuses %p as %s', (state, reason) => {
    expect(verifyState(key, state, NOW)).toEqual({ ok: false, reason });
  });

  it('refuses a correctly signed payload that is not a state', () => {
    const payload = Buffer.from(JSON.stringify({ v: 1, n: 'x', exp: 'soon', c: 'browser' })).toString('base64url');
    const signature = createHmac('sha256', key).update(payload).digest('base64url');
    expect(verifyState(key, `${payload}.${signature}`, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('compares nonces exactly', () => {
    expect(nonceMatches('abc', 'abc')).toBe(true);
    expect(nonceMatches('abc', 'abd')).toBe(false);
    expect(nonceMatches('abc', 'abcd')).toBe(false);
    expect(nonceMatches('abc', undefined)).toBe(false);
  });
});
