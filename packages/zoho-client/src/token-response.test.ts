import { describe, expect, it } from '@jest/globals';
import { FixConfigError, ReAuthorizeError, RetryLaterError, WaitUntilError } from './errors.js';
import { ZOHO_TOKEN_WINDOW_MS } from './limits.js';
import { classifyTokenResponse } from './token-response.js';

const NOW = Date.parse('2026-11-28T10:00:00Z');

describe('classifyTokenResponse', () => {
  it('accepts a success body and ignores unknown keys', () => {
    const result = classifyTokenResponse(
      {
        access_token: '1000.aaa',
        refresh_token: '1000.rrr',
        api_domain: 'https://www.zohoapis.eu',
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'ZohoCRM.modules.leads.ALL',
        something_new: true,
      },
      { status: 200, grantType: 'authorization_code' },
    );
    expect(result).toEqual({
      ok: true,
      grant: {
        accessToken: '1000.aaa',
        refreshToken: '1000.rrr',
        apiDomain: 'https://www.zohoapis.eu',
        expiresInMs: 3_600_000,
        scope: 'ZohoCRM.modules.leads.ALL',
      },
    });
  });

  it('reads the legacy expires_in_sec / milliseconds pair', () => {
    const result = classifyTokenResponse(
      { access_token: 'a', expires_in_sec: 3600, expires_in: 3_600_000 },
      { grantType: 'refresh_token' },
    );
    expect(result.ok && result.grant.expiresInMs).toBe(3_600_000);
    expect(result.ok && result.grant.refreshToken).toBeNull();
  });

  // Zoho answers these with HTTP 200: success is decided by the body.
  it.each([
    [{ error: 'invalid_code' }, 'refresh_token', ReAuthorizeError, /re-authorise/],
    [{ error: 'invalid_code' }, 'authorization_code', ReAuthorizeError, /consent again/],
    [{ error: 'invalid_client' }, 'refresh_token', FixConfigError, /data centre/],
    [{ error: 'invalid_client_secret' }, 'refresh_token', FixConfigError, /secret/],
    [{ error: 'invalid_redirect_uri' }, 'authorization_code', FixConfigError, /ZOHO_REDIRECT_URI/],
  ] as const)('HTTP 200 %j (%s) → %p', (body, grantType, type, message) => {
    const result = classifyTokenResponse(body, { status: 200, grantType });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(type);
    expect(result.error.code).toBe(body.error);
    expect(result.error.message).toMatch(message);
  });

  it.each([
    [
      200,
      {
        error_description: 'You have made too many requests continuously. Please try again after some time.',
        error: 'Access Denied',
        status: 'failure',
      },
    ],
    [400, { error: 'Access Denied', error_description: 'Token creation throttle limit reached.' }],
    [200, { error: '拒绝访问', error_description: 'Please try again after some time.' }],
  ])('throttle body with HTTP %i → WaitUntil for Zoho’s 10-minute window', (status, body) => {
    const result = classifyTokenResponse(body, { status, grantType: 'refresh_token', now: NOW });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(WaitUntilError);
    expect((result.error as WaitUntilError).resetAt.getTime()).toBe(NOW + ZOHO_TOKEN_WINDOW_MS);
  });

  it.each([
    [502, undefined, 'HTTP_502'],
    [200, { status: 'ok' }, 'INVALID_TOKEN_RESPONSE'],
    [200, { error: 'something_new' }, 'something_new'],
  ])('HTTP %i %j → RetryLater %s', (status, body, code) => {
    const result = classifyTokenResponse(body, { status, grantType: 'refresh_token' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(RetryLaterError);
    expect(result.error.code).toBe(code);
  });
});
