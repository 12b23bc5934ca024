import { SCHEDULERS } from '@leadsync/queue';
import type { HealthFacts } from './facts.js';

export type Severity = 'critical' | 'warning' | 'info';

/** One thing an operator should know or do, in plain words. `id` is stable while the condition lasts. */
export interface Recommendation {
  id: string;
  severity: Severity;
  message: string;
}

export interface HealthThresholds {
  /** HEALTH_PENDING_THRESHOLD */
  pendingMax: number;
  /** HEALTH_SUCCESS_RATE_MIN, a share between 0 and 1 */
  successRateMin: number;
  /** A success rate over fewer final answers than this says nothing yet. */
  minFinalForRate: number;
  /** The oldest pending lead may wait this long before it is worth a look. */
  pendingMaxAgeMs: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = {
  pendingMax: 50,
  successRateMin: 0.8,
  minFinalForRate: 10,
  pendingMaxAgeMs: 60 * 60_000,
};

/**
 * In daily mode leads wait for the next scheduled drain, up to a day; only a lead older than
 * that (plus an hour of slack for a long drain) means the drain is not happening.
 */
export function pendingMaxAgeFor(syncMode: 'immediate' | 'daily'): number {
  return syncMode === 'daily' ? 25 * 3600_000 : DEFAULT_THRESHOLDS.pendingMaxAgeMs;
}

/** From the validated environment (HEALTH_PENDING_THRESHOLD, HEALTH_SUCCESS_RATE_MIN, SYNC_MODE). */
export function thresholdsFromEnv(env: {
  HEALTH_PENDING_THRESHOLD: number;
  HEALTH_SUCCESS_RATE_MIN: number;
  SYNC_MODE: 'immediate' | 'daily';
}): HealthThresholds {
  return {
    ...DEFAULT_THRESHOLDS,
    pendingMax: env.HEALTH_PENDING_THRESHOLD,
    successRateMin: env.HEALTH_SUCCESS_RATE_MIN,
    pendingMaxAgeMs: pendingMaxAgeFor(env.SYNC_MODE),
  };
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export function worstSeverity(recommendations: Recommendation[]): 'ok' | 'warning' | 'critical' {
  let worst: 'ok' | 'warning' | 'critical' = 'ok';
  for (const { severity } of recommendations) {
    if (severity === 'critical') return 'critical';
    if (severity === 'warning') worst = 'warning';
  }
  return worst;
}

/** Conditions worth an alert: info-level advice (retry failed leads) is already alerted lead by lead. */
export function alertingConditions(recommendations: Recommendation[]): Recommendation[] {
  return recommendations.filter((r) => RANK[r.severity] >= RANK.warning);
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;

type SchedulerId = (typeof SCHEDULERS)[keyof typeof SCHEDULERS];

/** Every scheduler the worker creates has a purpose here (the type makes a new one need it). */
const SCHEDULER_PURPOSE: Record<SchedulerId, string> = {
  [SCHEDULERS.dailyDrain]: 'the daily drain of every pending lead',
  [SCHEDULERS.tokenRefresh]: 'the Zoho token refresh ahead of expiry',
  [SCHEDULERS.sweep]: 'the sweep of retries and expired leases',
};

const purposeOf = (id: string): string =>
  Object.hasOwn(SCHEDULER_PURPOSE, id) ? SCHEDULER_PURPOSE[id as SchedulerId] : 'a job schedule';

/** Pure: the facts in, what an operator should do out, most urgent first. */
export function recommendationsFor(facts: HealthFacts, t: HealthThresholds): Recommendation[] {
  const out: Recommendation[] = [];
  const now = Date.parse(facts.checked_at);

  if (facts.checks.supabase === 'unavailable') {
    out.push({
      id: 'supabase_unreachable',
      severity: 'critical',
      message:
        'Supabase is unreachable: intake answers 503 and nothing syncs until it is back. Check SUPABASE_URL, the service-role key and the project status.',
    });
  }
  if (facts.checks.redis === 'unavailable') {
    out.push({
      id: 'redis_unreachable',
      severity: 'critical',
      message:
        'Redis is unreachable: leads are still stored, but none is synced to Zoho until Redis is back. Check REDIS_URL and the Redis server.',
    });
  }

  const token = facts.token;
  if (token && !token.exists) {
    out.push({
      id: 'zoho_not_connected',
      severity: 'critical',
      message:
        'Zoho is not connected, so no lead can reach Zoho: open /auth/zoho/start to authorise the connection (or set ZOHO_REFRESH_TOKEN).',
    });
  } else if (token?.needs_reauthorization) {
    out.push({
      id: 'zoho_reauthorize',
      severity: 'critical',
      message: `Zoho rejected the stored refresh token (${token.last_refresh_error?.code}, ${token.last_refresh_error?.at}): it was revoked or expired. Re-authorise at /auth/zoho/start.`,
    });
  } else if (token?.refresh_failing && token.last_refresh_error) {
    const e = token.last_refresh_error;
    out.push({
      id: 'token_refresh_failing',
      severity: 'critical',
      message: `Zoho token refresh failing since ${token.last_refresh_at ? `the last success at ${token.last_refresh_at}` : 'the connection was made'} (latest failure ${e.at}: ${e.code} ${e.message}). If it does not recover by itself, re-authorise at /auth/zoho/start.`,
    });
  }

  const pause = facts.zoho?.pause;
  if (pause && pause.reason !== 'reauthorization_needed') {
    // one stable id per cause, so the alerter posts it once (a reminder an hour later), not per check;
    // a credit pause is worth a person's attention, a backoff or the outage probe is information
    const credit = pause.reason === 'credits_exhausted' || pause.reason === 'credit_reserve';
    const id = pause.reason === 'zoho_outage' ? 'zoho_outage' : `zoho_${pause.reason}`;
    out.push({ id, severity: credit ? 'warning' : 'info', message: pause.message });
  }

  for (const id of facts.schedulers?.missing ?? []) {
    out.push({
      id: `scheduler_missing:${id}`,
      severity: 'warning',
      message: `The ${id} scheduler (${purposeOf(id)}) is missing: no worker has started against this Redis, or its keys were lost. Start a worker (npm run start:worker); it recreates its schedulers.`,
    });
  }

  const leads = facts.leads;
  if (leads) {
    const pending = leads.by_status.pending;
    if (pending > t.pendingMax) {
      out.push({
        id: 'pending_over_threshold',
        severity: 'warning',
        message: `${pending} leads are pending, over the threshold of ${t.pendingMax}: check that a worker runs and Zoho answers; POST /api/admin/sync drains them now.`,
      });
    }
    const oldest = leads.oldest_pending_at ? now - Date.parse(leads.oldest_pending_at) : 0;
    if (oldest > t.pendingMaxAgeMs) {
      out.push({
        id: 'pending_too_old',
        severity: 'warning',
        message: `The oldest pending lead has waited ${duration(oldest)} (since ${leads.oldest_pending_at}): leads are not reaching Zoho. Check the worker and the recommendations above.`,
      });
    }
    const synced = leads.by_status.synced;
    const failed = leads.by_status.failed;
    if (leads.success_rate !== null && synced + failed >= t.minFinalForRate && leads.success_rate < t.successRateMin) {
      out.push({
        id: 'success_rate_low',
        severity: 'warning',
        message: `Success rate ${percent(leads.success_rate)} (${synced} synced, ${failed} failed), under ${percent(t.successRateMin)}: Zoho refuses many leads. Read a failed lead's last_error (GET /api/leads/:id); usually a field mapping or a Zoho validation rule.`,
      });
    }
    if (failed > 0) {
      out.push({
        id: 'failed_leads',
        severity: 'info',
        message: `${failed} ${failed === 1 ? 'lead has' : 'leads have'} failed permanently: once the cause is fixed, put each back with POST /api/admin/leads/:id/retry.`,
      });
    }
    // Info, not an alert: holding spam is the filter working; a person only checks for false positives.
    const spam = leads.by_status.spam;
    if (spam > 0) {
      out.push({
        id: 'spam_held',
        severity: 'info',
        message: `${spam} ${spam === 1 ? 'lead is' : 'leads are'} held as spam and will not reach Zoho; release one that is genuine with POST /api/admin/leads/:id/retry.`,
      });
    }
  }

  return out.sort((a, b) => RANK[b.severity] - RANK[a.severity]);
}
