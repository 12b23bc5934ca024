import { describe, expect, it } from '@jest/globals';
import {
  FixConfigError,
  ReAuthenticateError,
  ReAuthorizeError,
  RejectedRequestError,
  RetryLaterError,
  WaitUntilError,
} from '../errors.js';
import { errorFromPublished, failureHoldMs, publishedFailure, toZohoError } from './failures.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const holds = { transientMs: 2_000, windowMs: 600_000 };

describe('failureHoldMs', () => {
  it("holds Zoho's throttle until its reset, and at least a millisecond", () => {
    expect(failureHoldMs(new WaitUntilError('ACCESS_DENIED', 'x', new Date(NOW + 90_000)), NOW, holds)).toBe(90_000);
    expect(failureHoldMs(new WaitUntilError('ACCESS_DENIED', 'x', new Date(NOW - 5)), NOW, holds)).toBe(1);
  });

  it('holds a revoked token for a whole window, a configuration error for a minute, the rest briefly', () => {
    expect(failureHoldMs(new ReAuthorizeError('invalid_code', 'x'), NOW, holds)).toBe(600_000);
    expect(failureHoldMs(new FixConfigError('invalid_client', 'x'), NOW, holds)).toBe(60_000);
    expect(failureHoldMs(new RetryLaterError('HTTP_502', 'x'), NOW, holds)).toBe(2_000);
    expect(failureHoldMs(new RejectedRequestError('INVALID_DATA', 'x'), NOW, holds)).toBe(2_000);
  });
});

describe('a published failure read back by another process', () => {
  it.each([
    new ReAuthorizeError('invalid_code', 'revoked'),
    new FixConfigError('invalid_client', 'unknown client'),
    new WaitUntilError('ACCESS_DENIED', 'too many', new Date(NOW + 60_000)),
    new RejectedRequestError('INVALID_DATA', 'bad'),
    new RetryLaterError('HTTP_502', 'bad gateway'),
  ])('keeps the action, code and reset of $code', (original) => {
    const replayed = errorFromPublished(JSON.parse(JSON.stringify(publishedFailure(original))));
    expect(replayed.constructor).toBe(original.constructor);
    expect(replayed).toMatchObject({ action: original.action, code: original.code });
    expect(replayed.message).toContain(original.message);
    expect(replayed.message).toContain('reported by the process that attempted the refresh');
    if (original instanceof WaitUntilError) expect((replayed as WaitUntilError).resetAt).toEqual(original.resetAt);
  });

  it('replays a retry-later error of another class as a RetryLaterError', () => {
    const replayed = errorFromPublished(publishedFailure(new ReAuthenticateError('INVALID_TOKEN', 'x')));
    expect(replayed).toBeInstanceOf(RetryLaterError);
  });
});

describe('toZohoError', () => {
  it('keeps a typed error and makes anything else a retry', () => {
    const typed = new FixConfigError('invalid_client', 'x');
    expect(toZohoError(typed)).toBe(typed);
    const wrapped = toZohoError(new Error('boom'));
    expect(wrapped).toMatchObject({ name: 'RetryLaterError', code: 'TOKEN_REFRESH_FAILED' });
    expect(wrapped.cause).toBeInstanceOf(Error);
  });
});
