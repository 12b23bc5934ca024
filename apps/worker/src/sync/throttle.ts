/**
 * Pure decisions of the Zoho pressure control (zoho-pressure.ts keeps their state in Redis):
 *
 * - Concurrency, AIMD: a 429 while credits remain means the org had too many calls in flight
 *   (ours plus its other tools'), so the cluster's concurrency is halved (floor 1) and the refused
 *   batch goes again after a short, jittered backoff that grows while 429s repeat; calls that
 *   succeed raise it again by one at a time, no faster than one step per `increaseAfterMs`, back
 *   up to SYNC_CONCURRENCY. 429s that arrive within `decreaseCooldownMs` of a decrease were sent
 *   before it took effect: they do not halve again (one decrease per burst, as TCP does per RTT).
 * - Credits: above twice the reserve nothing changes; between twice the reserve and the reserve
 *   the concurrency shrinks in proportion (the sync slows as it approaches the reserve); at the
 *   reserve it waits. The waits after the credits ran out (or reached the reserve) double on
 *   repeats, capped, because a rolling 24-hour window returns credits at a pace we cannot know.
 */
import type { ConcurrencyRecord } from '@leadsync/operations';

export interface ThrottleSettings {
  /** SYNC_CONCURRENCY: the most calls in flight across the cluster. */
  max: number;
  /** ZOHO_CREDIT_RESERVE in credits. */
  reserve: number;
  /** A raise needs this long since the last change (and a success). */
  increaseAfterMs: number;
  /** 429s this soon after a decrease belong to the same burst. */
  decreaseCooldownMs: number;
  /** Backoff of a batch refused for concurrency: base, doubling per 429 in a row, capped. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** ZOHO_CREDITS_PROBE_EVERY: the wait after the credits ran out or reached the reserve. */
  creditsProbeMs: number;
  /** The probe wait doubles on each repeat up to this factor. */
  creditsProbeMaxFactor: number;
}

export const DEFAULT_THROTTLE: Omit<ThrottleSettings, 'max' | 'reserve' | 'creditsProbeMs'> = {
  increaseAfterMs: 5_000,
  decreaseCooldownMs: 1_000,
  retryBaseMs: 1_000,
  retryMaxMs: 30_000,
  creditsProbeMaxFactor: 4,
};

export function initialConcurrency(s: ThrottleSettings, now: number): ConcurrencyRecord {
  return {
    limit: s.max,
    max: s.max,
    reserve: s.reserve,
    changedAt: now,
    lastDecreaseAt: 0,
    collisions: 0,
    backoffUntil: 0,
  };
}

/** The stored state, re-based on this process's settings (SYNC_CONCURRENCY may have changed on a deploy). */
export function normalizeConcurrency(
  state: ConcurrencyRecord | null,
  s: ThrottleSettings,
  now: number,
): ConcurrencyRecord {
  if (!state || !Number.isFinite(state.limit)) return initialConcurrency(s, now);
  return { ...state, max: s.max, reserve: s.reserve, limit: Math.max(1, Math.min(s.max, Math.floor(state.limit))) };
}

/** A concurrency 429: multiplicative decrease (once per burst) and when the refused batch goes again. */
export function afterCollision(
  state: ConcurrencyRecord,
  s: ThrottleSettings,
  now: number,
  random: () => number = Math.random,
): { state: ConcurrencyRecord; retryInMs: number } {
  const sameBurst = now - state.lastDecreaseAt < s.decreaseCooldownMs;
  // a repeat (the retried batch refused again) doubles the wait; more answers of one burst do not
  const collisions = sameBurst ? Math.max(1, state.collisions) : state.collisions + 1;
  const base = Math.min(s.retryMaxMs, s.retryBaseMs * 2 ** Math.min(collisions - 1, 30));
  // 50–150 %: batches refused together spread out instead of colliding again together
  const retryInMs = Math.max(1, Math.round(base * (0.5 + random())));
  const limit = sameBurst ? state.limit : Math.max(1, Math.floor(state.limit / 2));
  return {
    state: {
      ...state,
      limit,
      collisions,
      changedAt: sameBurst ? state.changedAt : now,
      lastDecreaseAt: sameBurst ? state.lastDecreaseAt : now,
      backoffUntil: Math.max(state.backoffUntil, now + retryInMs),
    },
    retryInMs,
  };
}

/** A call Zoho answered (not with a 429): additive increase, at most one step per increaseAfterMs. */
export function afterSuccess(state: ConcurrencyRecord, s: ThrottleSettings, now: number): ConcurrencyRecord {
  const raise = state.limit < s.max && now - state.changedAt >= s.increaseAfterMs;
  if (!raise && state.collisions === 0) return state;
  return {
    ...state,
    collisions: 0,
    limit: raise ? state.limit + 1 : state.limit,
    changedAt: raise ? now : state.changedAt,
  };
}

export type CreditVerdict = { kind: 'run'; ceiling: number } | { kind: 'wait' };

/**
 * What the credits Zoho reported allow: null (no header: under half the day used) → full speed;
 * at or below the reserve → wait; within one reserve above it → a share of `max` (at least 1).
 */
export function creditVerdict(remaining: number | null, s: Pick<ThrottleSettings, 'max' | 'reserve'>): CreditVerdict {
  if (remaining === null) return { kind: 'run', ceiling: s.max };
  if (remaining <= s.reserve) return { kind: 'wait' };
  const band = Math.max(1, s.reserve);
  if (remaining >= s.reserve + band) return { kind: 'run', ceiling: s.max };
  return { kind: 'run', ceiling: Math.max(1, Math.ceil((s.max * (remaining - s.reserve)) / band)) };
}

/** The concurrency to apply: the AIMD limit, capped by what the credits allow. */
export function effectiveConcurrency(state: ConcurrencyRecord, verdict: CreditVerdict): number {
  return verdict.kind === 'wait' ? 0 : Math.max(1, Math.min(state.limit, verdict.ceiling));
}

/** How long a credit pause lasts: the probe interval, doubled per pause in a row (`streak` before this one), capped. */
export function creditPauseMs(
  streak: number,
  s: Pick<ThrottleSettings, 'creditsProbeMs' | 'creditsProbeMaxFactor'>,
): number {
  const factor = Math.min(s.creditsProbeMaxFactor, 2 ** Math.min(Math.max(0, streak), 30));
  return s.creditsProbeMs * factor;
}

/** The settings from the worker's validated environment. */
export function throttleSettings(env: {
  SYNC_CONCURRENCY: number;
  ZOHO_CREDITS_PROBE_EVERY: number;
  reserve: number;
}): ThrottleSettings {
  return {
    ...DEFAULT_THROTTLE,
    max: env.SYNC_CONCURRENCY,
    reserve: env.reserve,
    creditsProbeMs: env.ZOHO_CREDITS_PROBE_EVERY,
  };
}
