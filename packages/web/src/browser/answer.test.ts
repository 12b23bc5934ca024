import { describe, expect, it } from '@jest/globals';
import { classifyAnswer } from './answer.js';

describe('classifyAnswer', () => {
  it('takes a 2xx as stored', () => {
    expect(classifyAnswer(202, { id: 'abc', status: 'pending' }, null, 0)).toEqual({ kind: 'accepted', id: 'abc' });
  });

  it.each([500, 502, 503, 504, 429, 408, 409, 425])('retries %i with the same key', (status) => {
    expect(classifyAnswer(status, null, '2', 0)).toEqual({
      kind: 'retry',
      retryAfterMs: 2000,
      reason: `HTTP ${status}`,
    });
  });

  it('hands a validation failure to the visitor, with its field issues', () => {
    const body = {
      error: 'validation_failed',
      issues: [{ path: 'email', message: 'must be a valid email address' }, { path: 3 }, null],
    };
    expect(classifyAnswer(422, body, null, 0)).toEqual({
      kind: 'rejected',
      status: 422,
      error: 'validation_failed',
      issues: [{ path: 'email', message: 'must be a valid email address' }],
    });
  });

  it('treats other 4xx (413, 415, a reused key) as final, even without a JSON body', () => {
    expect(classifyAnswer(413, null, null, 0)).toEqual({
      kind: 'rejected',
      status: 413,
      error: 'HTTP 413',
      issues: [],
    });
    expect(classifyAnswer(422, { error: 'idempotency_key_reused' }, null, 0)).toMatchObject({
      kind: 'rejected',
      error: 'idempotency_key_reused',
    });
  });
});
