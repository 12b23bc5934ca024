import { describe, expect, it } from '@jest/globals';
import { callCost, creditsRemainingFromHeaders, resetTimeFromHeaders } from './limits.js';

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

describe('credits', () => {
  it('reads X-API-CREDITS-REMAINING; absent or unreadable is null', () => {
    expect(creditsRemainingFromHeaders(new Headers({ 'X-API-CREDITS-REMAINING': '4821' }))).toBe(4821);
    expect(creditsRemainingFromHeaders(new Headers({ 'x-api-credits-remaining': '0' }))).toBe(0);
    expect(creditsRemainingFromHeaders(new Headers())).toBeNull();
    expect(creditsRemainingFromHeaders(new Headers({ 'X-API-CREDITS-REMAINING': 'lots' }))).toBeNull();
    expect(creditsRemainingFromHeaders(undefined)).toBeNull();
  });

  it('a write costs 1 credit per 10 records, at most 10; anything else 1', () => {
    expect([callCost(), callCost(1), callCost(10), callCost(11), callCost(100)]).toEqual([1, 1, 1, 2, 10]);
  });
});
