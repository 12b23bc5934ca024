import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@leadsync/config';
import { DbError } from '@leadsync/db';
import { FixConfigError, RetryLaterError } from '@leadsync/zoho-client';
import { CliError, oneLine } from './errors.js';

describe('oneLine', () => {
  it("prints the user's own mistakes as they are", () => {
    expect(oneLine(new CliError('--limit must be a whole number'))).toBe('--limit must be a whole number');
    expect(oneLine(new ConfigError('CRON_SECRET is required but not set'))).toBe('CRON_SECRET is required but not set');
  });

  it('describes a Zoho failure as onboarding does, with the redirect URI to check', () => {
    const line = oneLine(new FixConfigError('invalid_redirect_uri', 'x'), { ZOHO_REDIRECT_URI: 'http://h/cb' });
    expect(line).toContain('refused the redirect URI http://h/cb (invalid_redirect_uri)');
    expect(oneLine(new RetryLaterError('NETWORK', 'x'))).toContain('Could not get an answer from Zoho (NETWORK)');
  });

  it('names the service that could not be reached', () => {
    expect(oneLine(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toBe(
      'cannot reach a service: connect ECONNREFUSED 127.0.0.1:6379 (check REDIS_URL and SUPABASE_URL)',
    );
    expect(oneLine(new DbError('relation missing', 500, undefined), { SUPABASE_URL: 'http://db' })).toBe(
      'Supabase: relation missing (SUPABASE_URL=http://db)',
    );
  });
});
