import { describe, expect, it } from '@jest/globals';
import { effectiveMargin } from './margin.js';

describe('effectiveMargin', () => {
  it('keeps the configured margin for an hour-long token', () => {
    expect(effectiveMargin(3_600_000, 5 * 60_000)).toBe(5 * 60_000);
    // the scheduled job's 15 minutes ahead is exactly a quarter of Zoho's hour
    expect(effectiveMargin(3_600_000, 15 * 60_000)).toBe(15 * 60_000);
  });

  it('takes at most a quarter of a short lifetime, so a fresh token is always used', () => {
    expect(effectiveMargin(20_000, 5 * 60_000)).toBe(5_000);
    expect(effectiveMargin(20_000, 15 * 60_000)).toBe(5_000);
    expect(effectiveMargin(20_000, 1_000)).toBe(1_000);
  });

  it('keeps the configured margin when the lifetime is unknown, and never goes negative', () => {
    expect(effectiveMargin(null, 300_000)).toBe(300_000);
    expect(effectiveMargin(-5, 300_000)).toBe(0);
  });
});
