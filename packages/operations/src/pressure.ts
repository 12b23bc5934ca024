import type { Redis } from 'ioredis';

/**
 * "Zoho pressure": what the workers know of Zoho's limits (the org's API credits, the cluster's
 * current concurrency, a pause and its reason), kept in Redis by the worker's controller
 * (apps/worker/src/sync/zoho-pressure.ts) so that every process, and health and metrics in the
 * API, see the same. The keys and records are defined here, once, for writer and readers.
 */
export function pressureKeys(prefix: string) {
  return {
    /** CreditsRecord: the latest X-API-CREDITS-REMAINING any worker saw. */
    credits: `${prefix}:pressure:credits`,
    /** ConcurrencyRecord: the AIMD state. */
    concurrency: `${prefix}:pressure:concurrency`,
    /** PauseRecord, expiring when the pause ends. */
    pause: `${prefix}:pressure:pause`,
    /** Credit pauses in a row (each one waits longer); gone once a call succeeds above the reserve. */
    creditStreak: `${prefix}:pressure:credit-streak`,
    /** The outage breaker's state (apps/worker/src/sync/outage-breaker.ts writes it). */
    outage: `${prefix}:sync:outage`,
  };
}

export interface CreditsRecord {
  /** null: Zoho sent no header, i.e. less than half the day's credits are used. */
  remaining: number | null;
  /** Epoch ms of the answer. */
  at: number;
}

export interface ConcurrencyRecord {
  /** The cluster's concurrency now (AIMD, and lowered as credits approach the reserve). */
  limit: number;
  /** SYNC_CONCURRENCY. */
  max: number;
  /** ZOHO_CREDIT_RESERVE in credits. */
  reserve: number;
  changedAt: number;
  lastDecreaseAt: number;
  /** Concurrency 429s since the last success. */
  collisions: number;
  /** Epoch ms: a batch refused by a concurrency 429 goes again at this time. */
  backoffUntil: number;
}

export type CreditPauseReason = 'credits_exhausted' | 'credit_reserve';

export interface PauseRecord {
  reason: CreditPauseReason;
  since: number;
  until: number;
  /** Credits Zoho reported when the pause began. */
  remaining: number | null;
}

export type PauseReason = CreditPauseReason | 'concurrency_backoff' | 'zoho_outage' | 'reauthorization_needed';

export interface ZohoPressureFacts {
  credits: {
    /** null: not reported (under half the day's credits used, or no call seen yet). */
    remaining: number | null;
    seen_at: string | null;
    reserve: number | null;
  };
  concurrency: { current: number; max: number } | null;
  /** Why the sync is not sending now, and until when (null: until a person acts). */
  pause: { reason: PauseReason; since: string | null; until: string | null; message: string } | null;
}

const parse = <T>(raw: string | null | undefined): T | null => {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
};
const iso = (ms: number | null | undefined) =>
  typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;

/** Pure: the stored records (raw JSON, null when absent) as health shows them; the most serious pause wins. */
export function pressureFacts(
  raw: { credits: string | null; concurrency: string | null; pause: string | null; outage: string | null },
  now: number,
  needsReauthorization: boolean,
): ZohoPressureFacts {
  const credits = parse<CreditsRecord>(raw.credits);
  const concurrency = parse<ConcurrencyRecord>(raw.concurrency);
  const pause = parse<PauseRecord>(raw.pause);
  const outage = parse<{ failures: number; probeAt: number }>(raw.outage);

  let shown: ZohoPressureFacts['pause'] = null;
  if (needsReauthorization) {
    shown = {
      reason: 'reauthorization_needed',
      since: null,
      until: null,
      message: 'Zoho rejected the refresh token: nothing syncs until someone re-authorises at /auth/zoho/start.',
    };
  } else if (pause && pause.until > now) {
    shown = {
      reason: pause.reason,
      since: iso(pause.since),
      until: iso(pause.until),
      message:
        pause.reason === 'credits_exhausted'
          ? `Zoho's API credits for the rolling 24 hours are used up (${pause.remaining ?? 0} left): the sync waits and tries again at ${iso(pause.until)}; leads are kept and sent then.`
          : `Zoho's API credits are down to the reserve (${pause.remaining} left, ZOHO_CREDIT_RESERVE ${concurrency?.reserve ?? '?'}) kept for the org's other tools: the sync waits and looks again at ${iso(pause.until)}.`,
    };
  } else if (outage && outage.probeAt > now) {
    shown = {
      reason: 'zoho_outage',
      since: null,
      until: iso(outage.probeAt),
      message: `Zoho failed every call (${outage.failures} in a row): the sync pauses and probes again at ${iso(outage.probeAt)}.`,
    };
  } else if (concurrency && concurrency.backoffUntil > now) {
    shown = {
      reason: 'concurrency_backoff',
      since: iso(concurrency.lastDecreaseAt),
      until: iso(concurrency.backoffUntil),
      message: `Zoho refused calls for too many in flight: concurrency lowered to ${concurrency.limit} of ${concurrency.max}, the refused batch goes again at ${iso(concurrency.backoffUntil)}.`,
    };
  }
  return {
    credits: {
      remaining: credits?.remaining ?? null,
      seen_at: iso(credits?.at),
      reserve: concurrency?.reserve ?? null,
    },
    concurrency: concurrency ? { current: concurrency.limit, max: concurrency.max } : null,
    pause: shown,
  };
}

/** Reads the records (one MGET) and judges them with pressureFacts. */
export async function readZohoPressure(
  redis: Pick<Redis, 'mget'>,
  prefix: string,
  now: number,
  needsReauthorization: boolean,
): Promise<ZohoPressureFacts> {
  const keys = pressureKeys(prefix);
  const [credits, concurrency, pause, outage] = await redis.mget(
    keys.credits,
    keys.concurrency,
    keys.pause,
    keys.outage,
  );
  return pressureFacts(
    { credits: credits ?? null, concurrency: concurrency ?? null, pause: pause ?? null, outage: outage ?? null },
    now,
    needsReauthorization,
  );
}
