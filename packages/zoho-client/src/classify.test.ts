import { describe, expect, it } from '@jest/globals';
import { classifyCrmResponse } from './classify.js';
import {
  ConcurrencyLimitError,
  CreditsExhaustedError,
  FixConfigError,
  ReAuthenticateError,
  RejectedRequestError,
  RetryLaterError,
  WaitUntilError,
} from './errors.js';
import { CONCURRENCY_RETRY_MS, DEFAULT_CREDITS_PROBE_MS } from './limits.js';

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

  it('429 without the credits header (under half the day used) → a concurrency collision, retried in about a second', () => {
    const low = classifyCrmResponse(429, envelope('TOO_MANY_REQUESTS'), { now: NOW, random: () => 0 });
    const high = classifyCrmResponse(429, envelope('TOO_MANY_REQUESTS'), { now: NOW, random: () => 0.999 });
    expect(low).toBeInstanceOf(ConcurrencyLimitError);
    expect(low).toBeInstanceOf(RetryLaterError);
    expect(low).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429, creditsRemaining: null });
    expect((low as ConcurrencyLimitError).retryAt.getTime()).toBe(NOW + CONCURRENCY_RETRY_MS / 2);
    expect((high as ConcurrencyLimitError).retryAt.getTime()).toBeLessThanOrEqual(NOW + CONCURRENCY_RETRY_MS * 1.5);
  });

  it('429 with credits left → concurrency; with fewer left than the call costs → credits used up, probe in an hour', () => {
    const headers = (n: number) => new Headers({ 'X-API-CREDITS-REMAINING': String(n) });
    const collided = classifyCrmResponse(429, envelope('TOO_MANY_REQUESTS'), { now: NOW, headers: headers(1234) });
    expect(collided).toBeInstanceOf(ConcurrencyLimitError);
    expect(collided).toMatchObject({ creditsRemaining: 1234 });
    const empty = classifyCrmResponse(429, envelope('TOO_MANY_REQUESTS'), { now: NOW, headers: headers(0) });
    expect(empty).toBeInstanceOf(CreditsExhaustedError);
    expect(empty).toBeInstanceOf(WaitUntilError);
    expect((empty as CreditsExhaustedError).resetAt.getTime()).toBe(NOW + DEFAULT_CREDITS_PROBE_MS);
    // 5 left, a 100-record upsert costs 10: Zoho refuses it for credits
    const short = classifyCrmResponse(429, undefined, { now: NOW, headers: headers(5), callCost: 10 });
    expect(short).toMatchObject({ name: 'CreditsExhaustedError', creditsRemaining: 5 });
    // no header on the 429, but the last answer said 0: still credits
    const known = classifyCrmResponse(429, undefined, { now: NOW, knownCreditsRemaining: 0, creditsProbeMs: 5000 });
    expect((known as CreditsExhaustedError).resetAt.getTime()).toBe(NOW + 5000);
  });

  it('429 honours Retry-After and X-RATELIMIT-RESET', () => {
    const seconds = classifyCrmResponse(429, undefined, { now: NOW, headers: new Headers({ 'Retry-After': '7' }) });
    expect((seconds as ConcurrencyLimitError).retryAt.getTime()).toBe(NOW + 7000);
    const reset = NOW + 42_000;
    const epochMs = classifyCrmResponse(429, undefined, {
      now: NOW,
      headers: new Headers({ 'X-RATELIMIT-RESET': String(reset), 'X-API-CREDITS-REMAINING': '0' }),
    });
    expect((epochMs as WaitUntilError).resetAt.getTime()).toBe(reset);
  });
});
