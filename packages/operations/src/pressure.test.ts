import { describe, expect, it } from '@jest/globals';
import { pressureFacts } from './pressure.js';

const NOW = Date.parse('2026-12-02T04:00:00Z');
const none = { credits: null, concurrency: null, pause: null, outage: null };
const concurrency = (extra = {}) =>
  JSON.stringify({
    limit: 2,
    max: 8,
    reserve: 500,
    changedAt: NOW,
    lastDecreaseAt: NOW - 1000,
    collisions: 1,
    backoffUntil: 0,
    ...extra,
  });

describe('pressureFacts', () => {
  it('nothing stored: credits unknown, no pause', () => {
    expect(pressureFacts(none, NOW, false)).toEqual({
      credits: { remaining: null, seen_at: null, reserve: null },
      concurrency: null,
      pause: null,
    });
  });

  it('shows credits, the reserve, the concurrency, and a credit pause with its end', () => {
    const facts = pressureFacts(
      {
        ...none,
        credits: JSON.stringify({ remaining: 0, at: NOW - 5000 }),
        concurrency: concurrency(),
        pause: JSON.stringify({ reason: 'credits_exhausted', since: NOW - 5000, until: NOW + 3_600_000, remaining: 0 }),
      },
      NOW,
      false,
    );
    expect(facts.credits).toEqual({ remaining: 0, seen_at: new Date(NOW - 5000).toISOString(), reserve: 500 });
    expect(facts.concurrency).toEqual({ current: 2, max: 8 });
    expect(facts.pause).toMatchObject({ reason: 'credits_exhausted', until: new Date(NOW + 3_600_000).toISOString() });
  });

  it('re-authorisation wins over every pause; then credits, outage, concurrency backoff; an ended pause is none', () => {
    const pause = JSON.stringify({ reason: 'credit_reserve', since: NOW - 1, until: NOW + 1000, remaining: 450 });
    const outage = JSON.stringify({ failures: 3, probeAt: NOW + 20_000 });
    const busy = concurrency({ backoffUntil: NOW + 2000 });
    const all = { credits: null, concurrency: busy, pause, outage };
    expect(pressureFacts(all, NOW, true).pause?.reason).toBe('reauthorization_needed');
    expect(pressureFacts(all, NOW, false).pause?.reason).toBe('credit_reserve');
    expect(pressureFacts({ ...all, pause: null }, NOW, false).pause?.reason).toBe('zoho_outage');
    expect(pressureFacts({ ...all, pause: null, outage: null }, NOW, false).pause).toMatchObject({
      reason: 'concurrency_backoff',
      until: new Date(NOW + 2000).toISOString(),
    });
    expect(pressureFacts(all, NOW + 60_000, false).pause).toBeNull();
  });
});
