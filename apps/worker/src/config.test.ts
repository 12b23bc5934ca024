import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@leadsync/config';
import { creditReserve, loadWorkerConfig } from './config.js';

const valid = {
  ZOHO_CLIENT_ID: 'id',
  ZOHO_CLIENT_SECRET: 'secret',
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  CRON_SECRET: 'a-long-enough-secret',
};

describe('worker configuration', () => {
  it('applies the contract defaults', () => {
    const config = loadWorkerConfig(valid);
    expect(config).toMatchObject({
      SYNC_MODE: 'immediate',
      SYNC_CRON: '0 9 * * *',
      SYNC_TZ: 'UTC',
      SYNC_BATCH_SIZE: 100,
      SYNC_RETRY_HORIZON: 72 * 3_600_000,
      SYNC_BACKOFF_MAX_MS: 15 * 60_000,
      REDIS_URL: 'redis://127.0.0.1:6379',
      ZOHO_ACCOUNTS_URL: 'https://accounts.zoho.com',
      ZOHO_API_DOMAIN: 'https://www.zohoapis.com',
    });
  });

  it.each([
    ['72h', 72 * 3_600_000],
    ['90m', 90 * 60_000],
    ['45s', 45_000],
    ['3d', 3 * 86_400_000],
    ['250ms', 250],
    ['600000', 600_000],
  ])('reads SYNC_RETRY_HORIZON=%s as %d ms', (value, expected) => {
    expect(loadWorkerConfig({ ...valid, SYNC_RETRY_HORIZON: value }).SYNC_RETRY_HORIZON).toBe(expected);
  });

  it('still starts with SYNC_MAX_ATTEMPTS set, which no longer ends a lead', () => {
    expect(loadWorkerConfig({ ...valid, SYNC_MAX_ATTEMPTS: '8' }).SYNC_MAX_ATTEMPTS).toBe(8);
  });

  it('accepts NEXT_PUBLIC_SUPABASE_URL for SUPABASE_URL', () => {
    expect(loadWorkerConfig({ ...valid, NEXT_PUBLIC_SUPABASE_URL: 'https://abc.supabase.co' }).SUPABASE_URL).toBe(
      'https://abc.supabase.co',
    );
  });

  it.each([
    [{ TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=' }, /^TOKEN_ENCRYPTION_KEY must be 32 bytes/],
    [{ CRON_SECRET: undefined }, /^CRON_SECRET is required but not set$/],
    [{ SYNC_MODE: 'hourly' }, /^SYNC_MODE /],
    [{ SYNC_BATCH_SIZE: '101' }, /^SYNC_BATCH_SIZE /],
    [{ SYNC_RETRY_HORIZON: '3 days' }, /^SYNC_RETRY_HORIZON must be a duration such as 72h/],
    [{ SYNC_BACKOFF_MAX_MS: '-1' }, /^SYNC_BACKOFF_MAX_MS must be a duration/],
    [{ REDIS_URL: 'http://x' }, /^REDIS_URL must be a redis or rediss URL/],
    [{ ZOHO_CLIENT_ID: '' }, /^ZOHO_CLIENT_ID is required but not set$/],
  ])('stops with one line naming the variable: %j', (patch, message) => {
    const env = { ...valid, ...patch } as Record<string, string | undefined>;
    expect(() => loadWorkerConfig(env)).toThrow(ConfigError);
    expect(() => loadWorkerConfig(env)).toThrow(message);
  });
});

describe('ZOHO_CREDIT_RESERVE', () => {
  it('is a number of credits (default 1000), or a share of ZOHO_DAILY_CREDITS', () => {
    expect(creditReserve(loadWorkerConfig(valid))).toBe(1000);
    expect(creditReserve(loadWorkerConfig({ ...valid, ZOHO_CREDIT_RESERVE: '250' }))).toBe(250);
    const share = loadWorkerConfig({ ...valid, ZOHO_CREDIT_RESERVE: '10%', ZOHO_DAILY_CREDITS: '55000' });
    expect(creditReserve(share)).toBe(5500);
    expect(loadWorkerConfig(valid).ZOHO_CREDITS_PROBE_EVERY).toBe(3_600_000);
  });

  it.each([
    [{ ZOHO_CREDIT_RESERVE: '10%' }, /ZOHO_DAILY_CREDITS/],
    [{ ZOHO_CREDIT_RESERVE: 'some' }, /ZOHO_CREDIT_RESERVE/],
    [{ ZOHO_CREDIT_RESERVE: '100%', ZOHO_DAILY_CREDITS: '5000' }, /below 100%/],
  ])('refuses %j', (extra, message) => {
    expect(() => loadWorkerConfig({ ...valid, ...extra })).toThrow(message);
  });
});
