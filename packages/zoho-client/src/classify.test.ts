import { describe, expect, it } from '@jest/globals';
import {
  classifyCrmResponse,
  classifyRecordResult,
  classifyTokenResponse,
  DEFAULT_429_WAIT_MS,
  resetTimeFromHeaders,
  ZOHO_TOKEN_WINDOW_MS,
} from './classify.js';
import {
  FixConfigError,
  ReAuthenticateError,
  ReAuthorizeError,
  RejectedRequestError,
  RetryLaterError,
  WaitUntilError,
} from './errors.js';

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

describe('classifyCrmResponse', () => {
  const envelope = (code: string, message = 'm') => ({ code, details: {}, message, status: 'error' });

  it.each([
    [200, { data: [] }],
    [201, { data: [] }],
    [207, { data: [{ status: 'success' }, { status: 'error', code: 'INVALID_DATA' }] }],
    [204, undefined],
    // Every record failed validation: 400 with one result per record — results, not an exception.
    [400, { data: [{ code: 'MANDATORY_NOT_FOUND', status: 'error', details: { api_name: 'Last_Name' } }] }],
  ])('HTTP %i with results → null (read the body)', (status, body) => {
    expect(classifyCrmResponse(status, body)).toBeNull();
  });

  it.each([
    [401, envelope('INVALID_TOKEN', 'invalid oauth token'), ReAuthenticateError],
    [401, envelope('AUTHENTICATION_FAILURE'), ReAuthenticateError],
    [401, undefined, ReAuthenticateError],
    [401, envelope('OAUTH_SCOPE_MISMATCH'), FixConfigError],
    [403, envelope('NO_PERMISSION'), FixConfigError],
    [404, envelope('INVALID_URL_PATTERN'), FixConfigError],
    [400, envelope('INVALID_MODULE'), FixConfigError],
    [400, { data: [envelope('INVALID_MODULE')] }, FixConfigError],
    [400, envelope('AUTHORIZATION_FAILED'), FixConfigError],
    [500, envelope('INTERNAL_ERROR'), RetryLaterError],
    [502, undefined, RetryLaterError],
    [503, '<html>', RetryLaterError],
    [412, envelope('ALREADY_MODIFIED'), RetryLaterError],
    [400, envelope('INVALID_DATA', 'body'), RejectedRequestError],
    [400, envelope('INVALID_QUERY'), RejectedRequestError],
  ] as const)('HTTP %i %j → %p', (status, body, type) => {
    const error = classifyCrmResponse(status, body);
    expect(error).toBeInstanceOf(type);
    expect(error?.status).toBe(status);
    expect(error?.code).toBe(body && typeof body === 'object' && 'code' in body ? body.code : error?.code);
  });

  // v8 answers some request-level errors inside data[] (its OpenAPI examples), older versions bare.
  const limitExceeded = {
    code: 'LIMIT_EXCEEDED',
    details: { maximum_length: 100, api_name: 'data' },
    message: 'count of records in your request exceeds the limit',
    status: 'error',
  };
  it.each([
    ['bare', limitExceeded],
    ['inside data[]', { data: [limitExceeded] }],
  ])('over 100 records (%s) → RejectedRequest LIMIT_EXCEEDED with its details, not one record result', (_, body) => {
    const error = classifyCrmResponse(400, body);
    expect(error).toBeInstanceOf(RejectedRequestError);
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', status: 400, details: { maximum_length: 100 } });
  });

  it.each([
    [{ data: [envelope('INVALID_REQUEST_METHOD')] }, FixConfigError, 'INVALID_REQUEST_METHOD'],
    [{ data: [envelope('AUTHORIZATION_FAILED')] }, FixConfigError, 'AUTHORIZATION_FAILED'],
    [
      { data: [{ ...envelope('INVALID_DATA'), details: { expected_data_type: 'jsonarray', api_name: 'data' } }] },
      RejectedRequestError,
      'INVALID_DATA',
    ],
  ] as const)('a request-level error inside data[] is classified as the bare one: %j', (body, type, code) => {
    const error = classifyCrmResponse(400, body);
    expect(error).toBeInstanceOf(type);
    expect(error?.code).toBe(code);
  });

  it('keeps the code of a 5xx without a Zoho body', () => {
    expect(classifyCrmResponse(502, undefined)?.code).toBe('HTTP_502');
  });

  it('429 without headers → WaitUntil after the default wait plus jitter', () => {
    const low = classifyCrmResponse(429, envelope('TOO_MANY_REQUESTS'), { now: NOW, random: () => 0 });
    const high = classifyCrmResponse(429, envelope('TOO_MANY_REQUESTS'), { now: NOW, random: () => 0.999 });
    expect(low).toBeInstanceOf(WaitUntilError);
    expect(low?.code).toBe('TOO_MANY_REQUESTS');
    expect((low as WaitUntilError).resetAt.getTime()).toBe(NOW + DEFAULT_429_WAIT_MS);
    const highWait = (high as WaitUntilError).resetAt.getTime() - NOW;
    expect(highWait).toBeGreaterThan(DEFAULT_429_WAIT_MS);
    expect(highWait).toBeLessThanOrEqual(DEFAULT_429_WAIT_MS * 1.2);
  });

  it('429 honours Retry-After and X-RATELIMIT-RESET', () => {
    const seconds = classifyCrmResponse(429, undefined, { now: NOW, headers: new Headers({ 'Retry-After': '7' }) });
    expect((seconds as WaitUntilError).resetAt.getTime()).toBe(NOW + 7000);
    const reset = NOW + 42_000;
    const epochMs = classifyCrmResponse(429, undefined, {
      now: NOW,
      headers: new Headers({ 'X-RATELIMIT-RESET': String(reset) }),
    });
    expect((epochMs as WaitUntilError).resetAt.getTime()).toBe(reset);
  });
});

describe('resetTimeFromHeaders', () => {
  it('reads an HTTP date, epoch seconds and relative seconds; null without headers', () => {
    const date = new Date(NOW + 90_000).toUTCString();
    expect(resetTimeFromHeaders(new Headers({ 'retry-after': date }), NOW)?.getTime()).toBe(NOW + 90_000);
    expect(resetTimeFromHeaders(new Headers({ 'x-ratelimit-reset': String(NOW / 1000 + 5) }), NOW)?.getTime()).toBe(
      NOW + 5000,
    );
    expect(resetTimeFromHeaders(new Headers({ 'x-ratelimit-reset': '30' }), NOW)?.getTime()).toBe(NOW + 30_000);
    expect(resetTimeFromHeaders(new Headers(), NOW)).toBeNull();
    expect(resetTimeFromHeaders(new Headers({ 'retry-after': 'soon' }), NOW)).toBeNull();
  });
});

describe('classifyRecordResult', () => {
  it('maps an upsert success with its action', () => {
    expect(
      classifyRecordResult({
        code: 'SUCCESS',
        duplicate_field: 'Email',
        action: 'update',
        details: { id: '4150868000000376008' },
        message: 'record updated',
        status: 'success',
      }),
    ).toEqual({ ok: true, zohoId: '4150868000000376008', action: 'update', duplicateField: 'Email' });
    expect(
      classifyRecordResult({
        code: 'SUCCESS',
        duplicate_field: null,
        action: 'insert',
        details: { id: '1' },
        status: 'success',
      }),
    ).toEqual({ ok: true, zohoId: '1', action: 'insert' });
  });

  it('maps an update-by-id success as an update of that record (the answer has no action key)', () => {
    const item = {
      code: 'SUCCESS',
      details: { id: '111112000000142001' },
      message: 'record updated',
      status: 'success',
    };
    expect(classifyRecordResult(item, 'update')).toEqual({ ok: true, zohoId: '111112000000142001', action: 'update' });
  });

  it('marks an update whose id is not in Leads (deleted, merged, converted) as gone, and only that', () => {
    const badId = {
      code: 'INVALID_DATA',
      details: { api_name: 'id', json_path: '$.data[0].id' },
      message: 'the id given seems to be invalid',
      status: 'error',
    };
    expect(classifyRecordResult(badId, 'update')).toMatchObject({
      ok: false,
      code: 'INVALID_DATA',
      field: 'id',
      recordGone: true,
      retryable: false,
    });
    const badPhone = { ...badId, details: { api_name: 'Phone', expected_data_type: 'phone' } };
    expect(classifyRecordResult(badPhone, 'update')).not.toHaveProperty('recordGone');
    // an upsert does not address a record by id
    expect(classifyRecordResult(badId)).not.toHaveProperty('recordGone');
  });

  it('maps a validation error with its field, not retryable', () => {
    expect(
      classifyRecordResult({
        code: 'INVALID_DATA',
        details: { expected_data_type: 'phone', api_name: 'Phone' },
        message: 'invalid data',
        status: 'error',
      }),
    ).toMatchObject({ ok: false, code: 'INVALID_DATA', message: 'invalid data', field: 'Phone', retryable: false });
  });

  it('names the first field of MULTIPLE_OR_MULTI_ERRORS', () => {
    expect(
      classifyRecordResult({
        code: 'MULTIPLE_OR_MULTI_ERRORS',
        details: {
          errors: [
            { code: 'MANDATORY_NOT_FOUND', details: { api_name: 'Last_Name' } },
            { code: 'INVALID_DATA', details: { api_name: 'Email' } },
          ],
        },
        message: 'Multiple errors in the request',
        status: 'error',
      }),
    ).toMatchObject({ ok: false, code: 'MULTIPLE_OR_MULTI_ERRORS', field: 'Last_Name', retryable: false });
  });

  it('marks a per-record internal error retryable and an unreadable item too', () => {
    expect(classifyRecordResult({ code: 'INTERNAL_ERROR', status: 'error', message: 'x' })).toMatchObject({
      retryable: true,
    });
    expect(classifyRecordResult('garbage')).toMatchObject({ ok: false, code: 'INVALID_RESULT', retryable: true });
  });
});
