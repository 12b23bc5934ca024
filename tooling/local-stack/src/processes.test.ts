import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { isAlive, spawnApi, stackEnv } from './processes.js';

describe('isAlive', () => {
  it('is true for a running process and false once it exited', async () => {
    expect(isAlive(process.pid)).toBe(true);
    const child = spawn(process.execPath, ['-e', '']);
    await once(child, 'exit');
    expect(isAlive(child.pid!)).toBe(false);
  });
});

describe('spawnApi', () => {
  it('fails with what the API printed when it exits at start, instead of waiting for /healthz', async () => {
    // config the API refuses at start (the service-role key is no JWT): it prints why and exits 1
    const env = stackEnv(
      {
        redisUrl: 'redis://127.0.0.1:1',
        redisPrefix: 'test:never',
        supabaseUrl: 'http://127.0.0.1:1',
        serviceRoleKey: 'x',
      },
      null,
      { LOG_LEVEL: 'silent' },
    );
    await expect(spawnApi(env)).rejects.toThrow(
      /the API process exited \(code 1\)[\s\S]*leadsync api: SUPABASE_SERVICE_ROLE_KEY/,
    );
  });
});

describe('stackEnv', () => {
  it("points a process at the stack's services and the simulator, with fresh secrets, extra last", () => {
    const stack = { redisUrl: 'redis://r', redisPrefix: 'p', supabaseUrl: 'http://s', serviceRoleKey: 'k' };
    const a = stackEnv(
      stack,
      { accountsUrl: 'http://a', apiDomain: 'http://d' },
      { LOG_LEVEL: 'warn', REDIS_URL: 'redis://own' },
    );
    expect(a).toMatchObject({
      REDIS_URL: 'redis://own',
      REDIS_PREFIX: 'p',
      SUPABASE_URL: 'http://s',
      SUPABASE_SERVICE_ROLE_KEY: 'k',
      ZOHO_CLIENT_ID: 'sim-client-id',
      ZOHO_ACCOUNTS_URL: 'http://a',
      ZOHO_API_DOMAIN: 'http://d',
      LOG_LEVEL: 'warn',
    });
    expect(Buffer.from(a.TOKEN_ENCRYPTION_KEY!, 'base64')).toHaveLength(32);
    const b = stackEnv(stack, null);
    expect(b.CRON_SECRET).not.toBe(a.CRON_SECRET);
    expect(b).not.toHaveProperty('ZOHO_CLIENT_ID');
  });
});
