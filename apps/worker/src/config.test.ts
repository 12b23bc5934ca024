import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@leadsync/config';
import { loadWorkerConfig } from './config.js';

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
      REDIS_URL: 'redis://127.0.0.1:6379',
      ZOHO_ACCOUNTS_URL: 'https://accounts.zoho.com',
      ZOHO_API_DOMAIN: 'https://www.zohoapis.com',
    });
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
    [{ REDIS_URL: 'http://x' }, /^REDIS_URL must be a redis or rediss URL/],
    [{ ZOHO_CLIENT_ID: '' }, /^ZOHO_CLIENT_ID is required but not set$/],
  ])('stops with one line naming the variable: %j', (patch, message) => {
    const env = { ...valid, ...patch } as Record<string, string | undefined>;
    expect(() => loadWorkerConfig(env)).toThrow(ConfigError);
    expect(() => loadWorkerConfig(env)).toThrow(message);
  });
});
