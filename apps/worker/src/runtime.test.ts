import { describe, expect, it } from '@jest/globals';
import { legacyPayload } from './runtime.js';

describe('jobs queued by the engine before batch jobs', () => {
  it('runs an old nudge as an intake batch of immediate mode (so daily mode skips it)', () => {
    expect(legacyPayload('sync-lead', { leadId: '00000000-0000-4000-8000-000000000000' })).toEqual({
      reason: 'intake',
      mode: 'immediate',
    });
  });

  it('runs an old drain as the batch that starts the same drain, keeping limit and forced refresh', () => {
    expect(legacyPayload('drain-pending', { reason: 'schedule' })).toEqual({ reason: 'daily' });
    expect(legacyPayload('drain-pending', { reason: 'admin', limit: 7, forceRefresh: true })).toEqual({
      reason: 'admin',
      limit: 7,
      forceRefresh: true,
    });
    expect(legacyPayload('drain-pending', { reason: 'sweep' })).toEqual({ reason: 'sweep', mode: 'immediate' });
    expect(legacyPayload('drain-pending', { reason: 'something-else' })).toEqual({
      reason: 'sweep',
      mode: 'immediate',
    });
  });
});
