import { describe, expect, it } from '@jest/globals';
import { classifyCrmResponse } from './classify.js';
import {
  FixConfigError,
  ReAuthenticateError,
  RejectedRequestError,
  RetryLaterError,
  WaitUntilError,
} from './errors.js';
import { DEFAULT_429_WAIT_MS } from './limits.js';

const NOW = Date.parse('2026-11-28T10:00:00Z');

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
