import { describe, expect, it } from '@jest/globals';
import { loadCliConfig } from './config.js';

const env = { CRON_SECRET: 'x'.repeat(16), TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') };

describe('the CLI configuration', () => {
  it("names the API's callback on its PORT unless ZOHO_REDIRECT_URI says otherwise", () => {
    expect(loadCliConfig({ ...env, PORT: '8080' }).ZOHO_REDIRECT_URI).toBe('http://localhost:8080/auth/zoho/callback');
    expect(loadCliConfig({ ...env, ZOHO_REDIRECT_URI: 'https://leads.example.com/cb' }).ZOHO_REDIRECT_URI).toBe(
      'https://leads.example.com/cb',
    );
  });

  it("does not refuse the API's own variables it does not read", () => {
    expect(() => loadCliConfig({ ...env, TRUST_PROXY: 'true', CORS_ORIGINS: 'not a url' })).not.toThrow();
  });

  it('stops at the first missing or bad variable, by name', () => {
    expect(() => loadCliConfig({ TOKEN_ENCRYPTION_KEY: env.TOKEN_ENCRYPTION_KEY })).toThrow(
      'CRON_SECRET is required but not set',
    );
    expect(() => loadCliConfig({ ...env, SYNC_MODE: 'hourly' })).toThrow(/^SYNC_MODE /);
  });
});
