import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@leadsync/config';
import { loadApiConfig } from './config.js';

const required = { CRON_SECRET: 'a-secret-of-16-chars+', TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') };
const load = (env: Record<string, string> = {}) => loadApiConfig({ ...required, ...env });
const failure = (env: Record<string, string>) => {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('loadApiConfig', () => {
  it('takes a read-only Bull Board secret only if it is long enough and not CRON_SECRET', () => {
    expect(load().BULL_BOARD_READ_ONLY_SECRET).toBeUndefined();
    expect(load({ BULL_BOARD_READ_ONLY_SECRET: '' }).BULL_BOARD_READ_ONLY_SECRET).toBeUndefined();
    expect(load({ BULL_BOARD_READ_ONLY_SECRET: 'viewer-secret-0123456' }).BULL_BOARD_READ_ONLY_SECRET).toBe(
      'viewer-secret-0123456',
    );
    expect(failure({ BULL_BOARD_READ_ONLY_SECRET: 'short' })).toMatch(/BULL_BOARD_READ_ONLY_SECRET.*16/);
    expect(failure({ BULL_BOARD_READ_ONLY_SECRET: required.CRON_SECRET })).toMatch(
      /BULL_BOARD_READ_ONLY_SECRET.*differ from CRON_SECRET/,
    );
  });

  it('has the documented defaults', () => {
    expect(load()).toMatchObject({
      PORT: 3000,
      CORS_ORIGINS: [],
      INTAKE_RATE_LIMIT: 60,
      INTAKE_MAX_WAITING: 500,
      TRUST_PROXY: false,
      ZOHO_REDIRECT_URI: 'http://localhost:3000/auth/zoho/callback',
      BODY_LIMIT: '100kb',
      SYNC_MODE: 'immediate',
    });
  });

  it('derives the redirect URI from PORT unless set', () => {
    expect(load({ PORT: '8080' }).ZOHO_REDIRECT_URI).toBe('http://localhost:8080/auth/zoho/callback');
    expect(load({ ZOHO_REDIRECT_URI: 'https://leads.example.com/cb' }).ZOHO_REDIRECT_URI).toBe(
      'https://leads.example.com/cb',
    );
  });

  it('reads CORS_ORIGINS as a list of origins', () => {
    expect(load({ CORS_ORIGINS: 'https://a.example, http://localhost:5173,https://b.example/' }).CORS_ORIGINS).toEqual([
      'https://a.example',
      'http://localhost:5173',
      'https://b.example',
    ]);
    expect(failure({ CORS_ORIGINS: 'https://a.example/path' })).toMatch(/^CORS_ORIGINS /);
    expect(failure({ CORS_ORIGINS: '*' })).toMatch(/^CORS_ORIGINS /);
  });

  it.each([
    ['false', false],
    ['0', 0],
    ['1', 1],
    ['2', 2],
    ['loopback, 10.0.0.0/8, fd00::/8', ['loopback', '10.0.0.0/8', 'fd00::/8']],
    ['uniquelocal,linklocal', ['uniquelocal', 'linklocal']],
    ['203.0.113.7', ['203.0.113.7']],
    ['2001:db8::1, 192.0.2.0/24', ['2001:db8::1', '192.0.2.0/24']],
  ])('reads TRUST_PROXY=%j', (value, expected) => {
    expect(load({ TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it.each(['true', 'TRUE', ' true '])('refuses TRUST_PROXY=%j (every hop trusted) in one line naming it', (value) => {
    const message = failure({ TRUST_PROXY: value });
    expect(message).toMatch(/^TRUST_PROXY must be .*hop count.*, not true: /);
    expect(message).not.toContain('\n');
  });

  it.each(['yes', '10.0.0.0/33', 'proxy.example.com', '1.2.3', '-1', '1.5'])(
    'refuses TRUST_PROXY=%j in one line',
    (value) => {
      const message = failure({ TRUST_PROXY: value });
      expect(message).toMatch(/^TRUST_PROXY must be/);
      expect(message).not.toContain('\n');
    },
  );

  it.each([
    ['PORT', 'http'],
    ['PORT', '70000'],
    ['INTAKE_RATE_LIMIT', '-1'],
    ['INTAKE_RATE_LIMIT', 'lots'],
    ['INTAKE_MAX_WAITING', '0'],
    ['INTAKE_MAX_WAITING', 'many'],
    ['BODY_LIMIT', 'big'],
    ['SYNC_MODE', 'hourly'],
  ])('names %s when it is %j', (name, value) => {
    const message = failure({ [name]: value });
    expect(message.startsWith(`${name} `)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('turns the rate limit off with 0', () => {
    expect(load({ INTAKE_RATE_LIMIT: '0' }).INTAKE_RATE_LIMIT).toBe(0);
  });

  it('names a missing CRON_SECRET', () => {
    expect(() => loadApiConfig({ TOKEN_ENCRYPTION_KEY: required.TOKEN_ENCRYPTION_KEY })).toThrow(
      'CRON_SECRET is required but not set',
    );
  });
});
