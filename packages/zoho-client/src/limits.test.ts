import { describe, expect, it } from '@jest/globals';
import { resetTimeFromHeaders } from './limits.js';

const NOW = Date.parse('2026-11-28T10:00:00Z');

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
