import { describe, expect, it } from '@jest/globals';
import { CliError } from '../errors.js';
import { drainSummary, parseLimit } from './sync.js';

describe('sync', () => {
  it('takes a --limit of 1 to 100000 whole leads, or none', () => {
    expect(parseLimit(undefined)).toBeUndefined();
    expect(parseLimit('1')).toBe(1);
    expect(parseLimit('100000')).toBe(100_000);
    for (const bad of ['0', '100001', '2.5', 'many', '', '-3']) {
      expect(() => parseLimit(bad)).toThrow(new CliError('--limit must be a whole number from 1 to 100000'));
    }
  });

  it("prints a finished drain's counts, 0 for any it did not report", () => {
    expect(drainSummary('7', { claimed: 5, synced: 4, failed: 1, tokenRefreshed: true })).toBe(
      'Drain job 7: claimed 5, synced 4, failed 1, retrying 0, token refreshed.',
    );
    expect(drainSummary('8', undefined)).toBe('Drain job 8: claimed 0, synced 0, failed 0, retrying 0.');
  });
});
