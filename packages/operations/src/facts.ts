import type { LeadStats, TokenStatus as StoredTokenStatus } from '@leadsync/db';
import { isRefreshFailing, needsReauthorization } from '@leadsync/zoho-client';
import type { ZohoPressureFacts } from './pressure.js';

/**
 * What health measures, apart from how it is measured (health.ts) and what it advises
 * (recommendations.ts), so the two depend on this file and not on each other.
 */

/** The Zoho connection as health shows it: times and errors, never a token. */
export interface TokenHealth {
  exists: boolean;
  expires_at: string | null;
  last_refresh_at: string | null;
  last_refresh_error: { code: string; message: string; at: string } | null;
  /** The latest refresh attempt failed (zoho-client's isRefreshFailing). */
  refresh_failing: boolean;
  /** Zoho called the refresh token invalid: only a person authorising again helps. */
  needs_reauthorization: boolean;
}

export type CheckResult = 'ok' | 'unavailable';

/** What was measured; null where the source could not be read. */
export interface HealthFacts {
  checked_at: string;
  checks: { supabase: CheckResult; redis: CheckResult };
  token: TokenHealth | null;
  leads: LeadStats | null;
  /** Job counts per queue name and state. */
  queues: Record<string, Record<string, number>> | null;
  /** Job schedulers the system relies on; null when Redis could not be asked. */
  schedulers: { present: string[]; missing: string[] } | null;
  /**
   * Zoho's limits as the workers met them: credits remaining (and when seen), the reserve, the
   * sync's concurrency now and at most, and any pause with its reason and end (pressure.ts).
   * null when Redis could not be asked; absent where a caller does not read it.
   */
  zoho?: ZohoPressureFacts | null;
}

const toDate = (iso: string | null | undefined) => (iso ? new Date(iso) : null);

/** The stored token status as health shows it, judged by the token manager's own rule. */
export function tokenHealth(status: StoredTokenStatus): TokenHealth {
  // without a connection nothing else is shown: no error, neither failing nor revoked
  const stored: StoredTokenStatus = status.exists ? status : { exists: false };
  const errorAt = stored.last_refresh_error_at ?? null;
  const lastRefreshAt = stored.last_refresh_at ?? null;
  const history = {
    lastRefreshAt: toDate(lastRefreshAt),
    lastRefreshErrorCode: stored.last_refresh_error_code ?? null,
    lastRefreshErrorAt: toDate(errorAt),
  };
  return {
    exists: stored.exists,
    expires_at: stored.expires_at ?? null,
    last_refresh_at: lastRefreshAt,
    last_refresh_error:
      errorAt && stored.last_refresh_error_code
        ? { code: stored.last_refresh_error_code, message: stored.last_refresh_error_message ?? '', at: errorAt }
        : null,
    refresh_failing: isRefreshFailing(history),
    needs_reauthorization: needsReauthorization(history),
  };
}
