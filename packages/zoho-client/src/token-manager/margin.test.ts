import { describe, expect, it } from '@jest/globals';
import { effectiveMargin, hasEnoughLeft } from './margin.js';

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

describe('hasEnoughLeft', () => {
  const issuedAt = new Date('2026-03-01T12:00:00Z');
  const hourToken = new Date('2026-03-01T13:00:00Z');

  it('wants more than the margin left, not exactly the margin', () => {
    const fiveBefore = hourToken.getTime() - 5 * 60_000;
    expect(hasEnoughLeft(hourToken, issuedAt, fiveBefore - 1, 5 * 60_000)).toBe(true);
    expect(hasEnoughLeft(hourToken, issuedAt, fiveBefore, 5 * 60_000)).toBe(false);
  });

  it("caps the wanted time at a quarter of the token's issued lifetime", () => {
    const short = new Date(issuedAt.getTime() + 20_000);
    expect(hasEnoughLeft(short, issuedAt, issuedAt.getTime() + 14_000, 15 * 60_000)).toBe(true);
    expect(hasEnoughLeft(short, issuedAt, issuedAt.getTime() + 15_000, 15 * 60_000)).toBe(false);
  });

  it('keeps the whole wanted time when the issue time is unknown', () => {
    const short = new Date(issuedAt.getTime() + 20_000);
    expect(hasEnoughLeft(short, null, issuedAt.getTime(), 15 * 60_000)).toBe(false);
  });
});
