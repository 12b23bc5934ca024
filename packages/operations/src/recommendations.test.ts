import { describe, expect, it } from '@jest/globals';
import { countByStatus } from '@leadsync/db';
import { type HealthFacts, tokenHealth } from './facts.js';
import {
  alertingConditions,
  DEFAULT_THRESHOLDS,
  recommendationsFor,
  thresholdsFromEnv,
  worstSeverity,
} from './recommendations.js';

const NOW = '2026-03-01T12:00:00.000Z';
const minutesAgo = (m: number) => new Date(Date.parse(NOW) - m * 60_000).toISOString();

/** A system with nothing to say: connected, schedulers present, everything synced. */
function healthy(): HealthFacts {
  return {
    checked_at: NOW,
    checks: { supabase: 'ok', redis: 'ok' },
    token: tokenHealth({ exists: true, expires_at: minutesAgo(-50), last_refresh_at: minutesAgo(10) }),
    leads: {
      total: 100,
      by_status: countByStatus({ synced: 98, pending: 2 }),
      by_source: { quote_form: 60, chatbot: 40 },
      last_24h: 20,
      success_rate: 1,
      oldest_pending_at: minutesAgo(1),
    },
    queues: { 'lead-sync': { waiting: 0 }, 'zoho-token': { waiting: 0 } },
    schedulers: { present: ['daily-drain', 'token-refresh'], missing: [] },
  };
}

const ids = (facts: HealthFacts) => recommendationsFor(facts, DEFAULT_THRESHOLDS).map((r) => r.id);
const only = (facts: HealthFacts, id: string) => {
  const found = recommendationsFor(facts, DEFAULT_THRESHOLDS).filter((r) => r.id === id);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('recommendationsFor', () => {
  it('has nothing to say about a healthy system', () => {
    expect(ids(healthy())).toEqual([]);
    expect(worstSeverity([])).toBe('ok');
  });

  it('asks to connect Zoho when no token is stored', () => {
    const facts = { ...healthy(), token: tokenHealth({ exists: false }) };
    const r = only(facts, 'zoho_not_connected');
    expect(r.severity).toBe('critical');
    expect(r.message).toContain('/auth/zoho/start');
  });

  it('reports a failing refresh with its error, and only while the error is newer than the last success', () => {
    const failing = tokenHealth({
      exists: true,
      last_refresh_at: minutesAgo(70),
      last_refresh_error_code: 'invalid_client',
      last_refresh_error_message: 'the client is unknown',
      last_refresh_error_at: minutesAgo(5),
    });
    const r = only({ ...healthy(), token: failing }, 'token_refresh_failing');
    expect(r.message).toContain('invalid_client');
    expect(r.message).toContain(minutesAgo(5));
    const recovered = tokenHealth({
      exists: true,
      last_refresh_at: minutesAgo(1),
      last_refresh_error_code: 'invalid_client',
      last_refresh_error_at: minutesAgo(5),
    });
    expect(ids({ ...healthy(), token: recovered })).toEqual([]);
  });

  it('asks to re-authorise when Zoho calls the refresh token invalid', () => {
    const revoked = tokenHealth({
      exists: true,
      last_refresh_at: null,
      last_refresh_error_code: 'invalid_code',
      last_refresh_error_message: 'invalid refresh token',
      last_refresh_error_at: minutesAgo(2),
    });
    expect(ids({ ...healthy(), token: revoked })).toEqual(['zoho_reauthorize']);
    expect(only({ ...healthy(), token: revoked }, 'zoho_reauthorize').message).toContain('Re-authorise');
  });

  it('warns when more leads than the threshold are pending, not at the threshold', () => {
    const at = healthy();
    at.leads = { ...at.leads!, by_status: countByStatus({ pending: 50 }) };
    expect(ids(at)).not.toContain('pending_over_threshold');
    const over = healthy();
    over.leads = { ...over.leads!, by_status: countByStatus({ pending: 51 }) };
    expect(only(over, 'pending_over_threshold').message).toMatch(/^51 leads are pending, over the threshold of 50/);
  });

  it('warns about a success rate under the minimum once enough leads had a final answer', () => {
    const few = healthy();
    few.leads = { ...few.leads!, by_status: countByStatus({ synced: 5, failed: 4 }), success_rate: 5 / 9 };
    expect(ids(few)).not.toContain('success_rate_low');
    const many = healthy();
    many.leads = { ...many.leads!, by_status: countByStatus({ synced: 7, failed: 3 }), success_rate: 0.7 };
    expect(only(many, 'success_rate_low').message).toContain('70 %');
    const fine = healthy();
    fine.leads = { ...fine.leads!, by_status: countByStatus({ synced: 8, failed: 2 }), success_rate: 0.8 };
    expect(ids(fine)).not.toContain('success_rate_low');
  });

  it('reports Redis and Supabase outages as critical', () => {
    const down = { ...healthy(), checks: { supabase: 'unavailable', redis: 'unavailable' } } as HealthFacts;
    expect(ids(down)).toEqual(expect.arrayContaining(['redis_unreachable', 'supabase_unreachable']));
    expect(worstSeverity(recommendationsFor(down, DEFAULT_THRESHOLDS))).toBe('critical');
  });

  it('names each missing scheduler', () => {
    const facts = { ...healthy(), schedulers: { present: [], missing: ['daily-drain', 'token-refresh'] } };
    expect(ids(facts)).toEqual(['scheduler_missing:daily-drain', 'scheduler_missing:token-refresh']);
    expect(only(facts, 'scheduler_missing:daily-drain').message).toContain('npm run start:worker');
    expect(only(facts, 'scheduler_missing:daily-drain').message).toContain('the daily drain of every pending lead');
    expect(only(facts, 'scheduler_missing:token-refresh').message).toContain('the Zoho token refresh');
    const sweep = { ...healthy(), schedulers: { present: [], missing: ['sweep-due', 'someone-elses'] } };
    expect(only(sweep, 'scheduler_missing:sweep-due').message).toContain('the sweep of retries');
    expect(only(sweep, 'scheduler_missing:someone-elses').message).toContain('(a job schedule)');
  });

  it('warns when the oldest pending lead waited too long, later in daily mode', () => {
    const old = healthy();
    old.leads = { ...old.leads!, oldest_pending_at: minutesAgo(90) };
    expect(only(old, 'pending_too_old').message).toContain('90 min');
    const daily = thresholdsFromEnv({ HEALTH_PENDING_THRESHOLD: 50, HEALTH_SUCCESS_RATE_MIN: 0.8, SYNC_MODE: 'daily' });
    expect(recommendationsFor(old, daily).map((r) => r.id)).not.toContain('pending_too_old');
  });

  it('tells how to retry failed leads, as advice rather than an alert', () => {
    const facts = healthy();
    facts.leads = { ...facts.leads!, by_status: countByStatus({ synced: 98, failed: 2 }), success_rate: 0.98 };
    const r = only(facts, 'failed_leads');
    expect(r.severity).toBe('info');
    expect(r.message).toContain('POST /api/admin/leads/:id/retry');
    expect(alertingConditions([r])).toEqual([]);
  });

  it('says how many leads are held as spam and how to release one, without alerting', () => {
    const facts = healthy();
    facts.leads = { ...facts.leads!, by_status: countByStatus({ synced: 98, spam: 3 }) };
    const r = only(facts, 'spam_held');
    expect(r.severity).toBe('info');
    expect(r.message).toContain('3 leads are held as spam');
    expect(r.message).toContain('POST /api/admin/leads/:id/retry');
    expect(alertingConditions([r])).toEqual([]);
    // spam counts toward neither the success rate nor the failed advice
    expect(ids(facts)).toEqual(['spam_held']);
  });

  it('puts the most urgent first', () => {
    const facts = { ...healthy(), token: tokenHealth({ exists: false }) };
    facts.leads = { ...facts.leads!, by_status: countByStatus({ pending: 60, failed: 1 }), success_rate: 0 };
    expect(recommendationsFor(facts, DEFAULT_THRESHOLDS).map((r) => r.severity)).toEqual([
      'critical',
      'warning',
      'info',
    ]);
  });
});

describe('Zoho pauses', () => {
  const paused = (
    reason: 'credits_exhausted' | 'credit_reserve' | 'concurrency_backoff' | 'zoho_outage',
  ): HealthFacts => ({
    ...healthy(),
    zoho: {
      credits: { remaining: 0, seen_at: NOW, reserve: 0 },
      concurrency: { current: 1, max: 8 },
      pause: { reason, since: NOW, until: minutesAgo(-60), message: `paused: ${reason}` },
    },
  });

  it('a credit pause is a warning the alerter posts (stable id); a backoff or outage probe is information', () => {
    expect(only(paused('credits_exhausted'), 'zoho_credits_exhausted')).toMatchObject({ severity: 'warning' });
    expect(
      alertingConditions(recommendationsFor(paused('credit_reserve'), DEFAULT_THRESHOLDS)).map((r) => r.id),
    ).toEqual(['zoho_credit_reserve']);
    expect(only(paused('concurrency_backoff'), 'zoho_concurrency_backoff').severity).toBe('info');
    expect(only(paused('zoho_outage'), 'zoho_outage').severity).toBe('info');
    expect(ids({ ...healthy(), zoho: null })).toEqual([]);
  });
});
