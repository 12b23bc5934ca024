import { describe, expect, it } from '@jest/globals';
import { tokenHealth } from './facts.js';

describe('tokenHealth', () => {
  it('shows no connection as neither failing nor needing a person', () => {
    // a status read without a row carries nothing else; anything that did is not shown
    expect(
      tokenHealth({ exists: false, last_refresh_error_code: 'x', last_refresh_error_at: '2026-03-01T12:00:00Z' }),
    ).toEqual({
      exists: false,
      expires_at: null,
      last_refresh_at: null,
      last_refresh_error: null,
      refresh_failing: false,
      needs_reauthorization: false,
    });
  });

  it("reads the stored times as instants, judged by the token manager's rule", () => {
    const same = '2026-03-01T12:00:00.000Z';
    const failing = tokenHealth({
      exists: true,
      expires_at: '2026-03-01T13:00:00.000Z',
      last_refresh_at: same,
      last_refresh_error_code: 'invalid_code',
      last_refresh_error_message: 'revoked',
      // the same instant written another way: a string comparison would get this wrong
      last_refresh_error_at: '2026-03-01T13:00:00+01:00',
    });
    expect(failing).toEqual({
      exists: true,
      expires_at: '2026-03-01T13:00:00.000Z',
      last_refresh_at: same,
      last_refresh_error: { code: 'invalid_code', message: 'revoked', at: '2026-03-01T13:00:00+01:00' },
      refresh_failing: true,
      needs_reauthorization: true,
    });
  });

  it('has recovered once a success is newer than the error', () => {
    const recovered = tokenHealth({
      exists: true,
      last_refresh_at: '2026-03-01T12:00:01Z',
      last_refresh_error_code: 'invalid_code',
      last_refresh_error_at: '2026-03-01T12:00:00Z',
    });
    expect(recovered).toMatchObject({ refresh_failing: false, needs_reauthorization: false });
    expect(recovered.last_refresh_error?.code).toBe('invalid_code');
  });

  it('shows an error code without a time as no error', () => {
    const half = tokenHealth({ exists: true, last_refresh_at: null, last_refresh_error_code: 'HTTP_502' });
    expect(half).toMatchObject({ last_refresh_error: null, refresh_failing: false });
  });
});
