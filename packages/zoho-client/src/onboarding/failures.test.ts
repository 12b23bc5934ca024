import { describe, expect, it } from '@jest/globals';
import { FixConfigError, ReAuthorizeError, RejectedRequestError, RetryLaterError, WaitUntilError } from '../errors.js';
import { describeOnboardingError } from './failures.js';

const ctx = { redirectUri: 'https://leads.example.com/auth/zoho/callback', accountsServer: 'https://accounts.zoho.eu' };
const NOW = Date.UTC(2026, 0, 1);

describe('describeOnboardingError', () => {
  it.each([
    [new RejectedRequestError('UNTRUSTED_ACCOUNTS_SERVER', 'x'), 'request', 'untrusted_accounts_server'],
    [new RejectedRequestError('INVALID_REQUEST', 'x'), 'request', 'bad_request'],
    [new ReAuthorizeError('invalid_code', 'x'), 'request', 'code_expired'],
    [new ReAuthorizeError('NO_REFRESH_TOKEN', 'x'), 'request', 'no_refresh_token'],
    [new FixConfigError('invalid_client', 'x'), 'configuration', 'wrong_client'],
    [new FixConfigError('invalid_client_secret', 'x'), 'configuration', 'wrong_client_secret'],
    [new FixConfigError('invalid_redirect_uri', 'x'), 'configuration', 'wrong_redirect_uri'],
    [new FixConfigError('OAUTH_SCOPE_MISMATCH', 'x'), 'configuration', 'zoho_configuration'],
    [new RetryLaterError('NETWORK', 'x'), 'unavailable', 'zoho_unavailable'],
  ])('%s is a %s problem (%s)', (err, kind, error) => {
    expect(describeOnboardingError(err, ctx)).toMatchObject({ kind, error });
  });

  it('names the accounts server and the redirect URI the person must check', () => {
    const failure = describeOnboardingError(new FixConfigError('invalid_redirect_uri', 'x'), ctx);
    expect(failure?.message).toContain('Zoho at https://accounts.zoho.eu refused the redirect URI');
    expect(failure?.message).toContain(ctx.redirectUri);
  });

  it('asks to wait until Zoho lets us try again, at least a second', () => {
    const later = new WaitUntilError('ACCESS_DENIED', 'x', new Date(NOW + 90_500));
    expect(describeOnboardingError(later, { ...ctx, now: NOW })).toMatchObject({ kind: 'throttled', retryAfterS: 91 });
    const past = new WaitUntilError('ACCESS_DENIED', 'x', new Date(NOW - 5000));
    expect(describeOnboardingError(past, { ...ctx, now: NOW })?.retryAfterS).toBe(1);
  });

  it("leaves errors that are not Zoho's to the caller", () => {
    expect(describeOnboardingError(new Error('boom'), ctx)).toBeNull();
  });
});
