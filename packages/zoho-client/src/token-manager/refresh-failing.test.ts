import { describe, expect, it } from '@jest/globals';
import { isRefreshFailing, needsReauthorization, type RefreshHistory } from './refresh-failing.js';

const at = (iso: string) => new Date(iso);
const history = (h: Partial<RefreshHistory>): RefreshHistory => ({
  lastRefreshAt: null,
  lastRefreshErrorCode: null,
  lastRefreshErrorAt: null,
  ...h,
});

describe('isRefreshFailing', () => {
  it('is not failing without a recorded error', () => {
    expect(isRefreshFailing(history({}))).toBe(false);
    expect(isRefreshFailing(history({ lastRefreshAt: at('2026-03-01T12:00:00Z') }))).toBe(false);
  });

  it('is failing while the error is newer than the last success, or there never was one', () => {
    const error = { lastRefreshErrorCode: 'HTTP_502', lastRefreshErrorAt: at('2026-03-01T12:00:00Z') };
    expect(isRefreshFailing(history(error))).toBe(true);
    expect(isRefreshFailing(history({ ...error, lastRefreshAt: at('2026-03-01T11:00:00Z') }))).toBe(true);
  });

  it('counts an error in the same millisecond as the success as failing (the safe side)', () => {
    const t = at('2026-03-01T12:00:00Z');
    expect(isRefreshFailing(history({ lastRefreshAt: t, lastRefreshErrorCode: 'x', lastRefreshErrorAt: t }))).toBe(
      true,
    );
  });

  it('has recovered once a success is newer than the error', () => {
    const recovered = history({
      lastRefreshAt: at('2026-03-01T12:00:00.001Z'),
      lastRefreshErrorCode: 'HTTP_502',
      lastRefreshErrorAt: at('2026-03-01T12:00:00Z'),
    });
    expect(isRefreshFailing(recovered)).toBe(false);
  });

  it('ignores half a record: a code without a time, or a time without a code', () => {
    expect(isRefreshFailing(history({ lastRefreshErrorCode: 'HTTP_502' }))).toBe(false);
    expect(
      isRefreshFailing(history({ lastRefreshErrorCode: '', lastRefreshErrorAt: at('2026-03-01T12:00:00Z') })),
    ).toBe(false);
  });
});

describe('needsReauthorization', () => {
  const errorAt = at('2026-03-01T12:00:00Z');

  it("asks for a person only while Zoho's invalid_code is the latest answer", () => {
    expect(needsReauthorization(history({ lastRefreshErrorCode: 'invalid_code', lastRefreshErrorAt: errorAt }))).toBe(
      true,
    );
    const later = history({
      lastRefreshAt: at('2026-03-01T13:00:00Z'),
      lastRefreshErrorCode: 'invalid_code',
      lastRefreshErrorAt: errorAt,
    });
    expect(needsReauthorization(later)).toBe(false);
  });

  it('does not for other failures', () => {
    expect(needsReauthorization(history({ lastRefreshErrorCode: 'invalid_client', lastRefreshErrorAt: errorAt }))).toBe(
      false,
    );
  });
});
