import {
  type ConcurrencyRecord,
  type CreditPauseReason,
  type CreditsRecord,
  type PauseRecord,
  pressureKeys,
} from '@leadsync/operations';
import {
  ConcurrencyLimitError,
  CreditsExhaustedError,
  WaitUntilError,
  type ZohoCreditsReading,
} from '@leadsync/zoho-client';
import type { Logger } from 'pino';
import {
  afterCollision,
  afterSuccess,
  type CreditVerdict,
  creditPauseMs,
  creditVerdict,
  effectiveConcurrency,
  normalizeConcurrency,
  type ThrottleSettings,
} from './throttle.js';

/**
 * The sync is waiting for Zoho's credits (used up, or down to ZOHO_CREDIT_RESERVE): nothing was
 * sent. A WaitUntilError, so the sync path hands the batch back uncounted and pauses the queue
 * until `resetAt`, as for any wait Zoho imposes.
 */
export class CreditPauseError extends WaitUntilError {
  constructor(
    readonly reason: CreditPauseReason,
    resetAt: Date,
    remaining: number | null,
  ) {
    super(
      reason === 'credits_exhausted' ? 'ZOHO_CREDITS_EXHAUSTED' : 'ZOHO_CREDIT_RESERVE',
      reason === 'credits_exhausted'
        ? `Zoho's API credits are used up (${remaining ?? 0} left): waiting until ${resetAt.toISOString()}`
        : `Zoho's API credits are down to the reserve (${remaining} left): waiting until ${resetAt.toISOString()}`,
      resetAt,
    );
  }
}

export type PressureAdmission =
  | { kind: 'run'; concurrency: number }
  | { kind: 'wait'; until: Date; reason: CreditPauseReason };

/** The cluster-wide Zoho pressure control; see throttle.ts for the decisions. */
export interface ZohoPressure {
  /** Before a Zoho call (or a batch's claim): may it go now, and at what concurrency. */
  admit(): Promise<PressureAdmission>;
  /** The zoho-client's onCredits hook: every answer's X-API-CREDITS-REMAINING. */
  credits(reading: ZohoCreditsReading): void;
  /** A call Zoho answered without a 429. */
  succeeded(): Promise<void>;
  /** A concurrency 429: lowers the cluster's concurrency; returns when the refused batch may go again. */
  collided(err: ConcurrencyLimitError): Promise<Date>;
  /** A 429 for used-up credits: pauses every worker (once, however many calls saw it); returns the end. */
  exhausted(err: CreditsExhaustedError): Promise<Date>;
  /**
   * The error a Zoho call failed with, as the sync path should see it: a concurrency 429 with the
   * controller's retry time, a credits 429 with the shared pause's end, anything else unchanged.
   * Call it for every failed call (it also records the 429).
   */
  translate(err: unknown): Promise<unknown>;
  /** Wraps one Zoho call: admit, the call at the current concurrency, then succeeded/translate. */
  run<T>(fn: () => Promise<T>): Promise<T>;
}

/** The subset of ioredis this needs. */
export interface PressureRedis {
  mget(...keys: string[]): Promise<Array<string | null>>;
  set(key: string, value: string): Promise<unknown>;
  set(key: string, value: string, px: 'PX', ms: number): Promise<unknown>;
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<unknown>;
  incr(key: string): Promise<number>;
  pexpire(key: string, ms: number): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
}

const STREAK_TTL_MS = 2 * 24 * 3_600_000;
/** How stale this process's copy of the shared state may get before a call reads it again. */
const REFRESH_MS = 250;
/** A pause younger than this is not taken as released: its rate limit may still be on its way. */
const RELEASE_GRACE_MS = 5000;

const parse = <T>(raw: string | null | undefined): T | null => {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
};

/** The reading, or a probe at concurrency 1 when it dates from before a pause that has since ended. */
type StoredCredits = CreditsRecord & { pausedUntil?: number };

/**
 * Redis-backed state of the control, shared by every worker: the credits any worker saw last,
 * the AIMD concurrency, and a credit pause (SET NX with the pause's length as expiry, so the
 * first worker to see it decides its end and all others follow). Updates are read-modify-write
 * on a copy at most REFRESH_MS old: two workers deciding at the same instant may lose one step of
 * AIMD, which the next 429 or success corrects — never a pause, which is set atomically.
 *
 * `apply(n)` is called whenever the concurrency to use changes (applySyncConcurrency, and the
 * process's own call limiter on the nudge/drain engine). Redis being down leaves each process
 * with its last copy.
 */
export function createZohoPressure(opts: {
  redis: PressureRedis;
  prefix: string;
  settings: ThrottleSettings;
  logger: Logger;
  apply?: (concurrency: number) => void | Promise<void>;
  /** A credit pause began (this process set it): e.g. run the health check so the alert goes out now. */
  onPause?: (pause: PauseRecord) => void;
  /**
   * Whether an operator ended the queue's rate limit by hand (Bull Board's "release it now"):
   * then a credit pause ends too, and one call probes at once (e.g. after buying more credits).
   */
  released?: () => Promise<boolean>;
  /** Bounds the calls in flight of this process at the current concurrency (the nudge/drain engine). */
  limiter?: <T>(fn: () => Promise<T>) => Promise<T>;
  now?: () => number;
  random?: () => number;
}): ZohoPressure {
  const { redis, settings: s, logger } = opts;
  const now = opts.now ?? Date.now;
  const keys = pressureKeys(opts.prefix);
  let concurrency: ConcurrencyRecord = normalizeConcurrency(null, s, now());
  let credits: StoredCredits | null = null;
  let pause: PauseRecord | null = null;
  let readAt = 0;
  let applied = s.max;
  /** A credit pause was seen since the last reset of the streak: the next good call resets it. */
  let pauseSeen = false;

  const attempt = async (what: string, op: () => Promise<unknown>) => {
    try {
      await op();
    } catch (err) {
      logger.debug({ err: (err as Error).message }, `zoho pressure: could not ${what}`);
    }
  };

  const refresh = async (force = false) => {
    if (!force && now() - readAt < REFRESH_MS) return;
    try {
      const [c, k, p] = await redis.mget(keys.credits, keys.concurrency, keys.pause);
      // an answer that arrived while this read was on its way is newer than what the read returns
      const stored = parse<StoredCredits>(c);
      if (stored && (!credits || stored.at >= credits.at)) credits = stored;
      concurrency = normalizeConcurrency(parse<ConcurrencyRecord>(k) ?? concurrency, s, now());
      pause = parse<PauseRecord>(p);
      if (pause) pauseSeen = true;
      readAt = now();
    } catch (err) {
      logger.debug({ err: (err as Error).message }, 'zoho pressure: Redis unavailable, using the last state seen');
    }
  };

  const verdict = (): CreditVerdict => {
    if (!credits) return { kind: 'run', ceiling: s.max };
    // the reading predates a pause that is over: credits may have come back; probe with one call
    if (credits.pausedUntil !== undefined) return { kind: 'run', ceiling: 1 };
    return creditVerdict(credits.remaining, s);
  };

  const applyNow = async () => {
    const n = Math.max(1, effectiveConcurrency(concurrency, verdict()));
    if (n === applied) return;
    logger.info({ from: applied, to: n, max: s.max }, 'sync concurrency changed');
    applied = n;
    await attempt('apply the concurrency', async () => opts.apply?.(n));
  };

  const saveConcurrency = (next: ConcurrencyRecord) => {
    concurrency = next;
    return attempt('store the concurrency', () => redis.set(keys.concurrency, JSON.stringify(next)));
  };

  const activePause = () => (pause && pause.until > now() ? pause : null);

  // the credits hook and the 429 it came with both start the pause: one start per process at a time
  let starting: Promise<PauseRecord> | null = null;
  /** Starts the cluster's credit pause unless one is on; returns the one in force. */
  const startPause = (reason: CreditPauseReason, remaining: number | null): Promise<PauseRecord> => {
    starting ??= beginPause(reason, remaining).finally(() => {
      starting = null;
    });
    return starting;
  };
  const beginPause = async (reason: CreditPauseReason, remaining: number | null): Promise<PauseRecord> => {
    await refresh(true);
    const current = activePause();
    if (current) return current;
    let streak = 1;
    try {
      streak = await redis.incr(keys.creditStreak);
      await redis.pexpire(keys.creditStreak, STREAK_TTL_MS);
    } catch {}
    const t = now();
    const next: PauseRecord = { reason, since: t, until: t + creditPauseMs(streak - 1, s), remaining };
    let mine = true;
    try {
      mine = (await redis.set(keys.pause, JSON.stringify(next), 'PX', next.until - t, 'NX')) === 'OK';
    } catch {}
    if (!mine) {
      await refresh(true);
      const current = activePause();
      if (current) return current;
      // what is stored ended by this process's clock (its key outlives it by clock skew): replace it
      await attempt('store the pause', () => redis.set(keys.pause, JSON.stringify(next), 'PX', next.until - t));
    }
    pause = next;
    pauseSeen = true;
    credits = { remaining, at: t, pausedUntil: next.until };
    await attempt('store the credits', () => redis.set(keys.credits, JSON.stringify(credits)));
    logger.warn(
      { reason, remaining, reserve: s.reserve, until: new Date(next.until).toISOString(), streak },
      reason === 'credits_exhausted'
        ? "Zoho's API credits are used up: sync paused until the rolling window can give credits back"
        : "Zoho's API credits reached ZOHO_CREDIT_RESERVE: sync paused, leaving the rest to the org's other tools",
    );
    opts.onPause?.(next);
    return next;
  };

  const reasonFor = (remaining: number | null): CreditPauseReason =>
    remaining === 0 ? 'credits_exhausted' : 'credit_reserve';

  const admit = async (): Promise<PressureAdmission> => {
    await refresh();
    let p = activePause();
    // a job runs during a pause only if someone released the queue's rate limit (BullMQ holds
    // jobs back otherwise); a pause that has just begun may not have set it yet
    if (p && now() - p.since > RELEASE_GRACE_MS && (await opts.released?.().catch(() => false))) {
      logger.info(
        { reason: p.reason },
        'the sync queue was released by hand: ending the credit pause, one call probes',
      );
      const ended = p;
      p = null;
      pause = null;
      credits = { remaining: credits?.remaining ?? ended.remaining, at: now(), pausedUntil: now() };
      const probe = credits;
      await attempt('end the pause', () => redis.del(keys.pause));
      await attempt('store the credits', () => redis.set(keys.credits, JSON.stringify(probe)));
      await applyNow();
      return { kind: 'run', concurrency: applied };
    }
    // at the reserve no call goes, also in the moment before the pause is stored
    if (!p && credits && verdict().kind === 'wait')
      p = await startPause(reasonFor(credits.remaining), credits.remaining);
    if (p) return { kind: 'wait', until: new Date(p.until), reason: p.reason };
    await applyNow();
    return { kind: 'run', concurrency: applied };
  };

  const pressure: ZohoPressure = {
    admit,

    credits(reading) {
      credits = { remaining: reading.remaining, at: reading.at.getTime() };
      const stored = credits;
      void attempt('store the credits', () => redis.set(keys.credits, JSON.stringify(stored)));
      if (creditVerdict(reading.remaining, s).kind === 'wait' && !activePause()) {
        void startPause(reasonFor(reading.remaining), reading.remaining);
      } else {
        void applyNow();
      }
    },

    async succeeded() {
      const next = afterSuccess(concurrency, s, now());
      if (next !== concurrency) await saveConcurrency(next);
      // credits above the reserve again: the next pause starts from the first probe interval
      if (pauseSeen && credits && credits.pausedUntil === undefined && verdict().kind === 'run') {
        pauseSeen = false;
        await attempt('reset the credit streak', () => redis.del(keys.creditStreak));
      }
      await applyNow();
    },

    async collided(err) {
      await refresh(true);
      const t = now();
      const { state, retryInMs } = afterCollision(concurrency, s, t, opts.random);
      logger.warn(
        {
          from: concurrency.limit,
          to: state.limit,
          retryInMs,
          collisions: state.collisions,
          creditsRemaining: err.creditsRemaining,
        },
        'Zoho refused a call for too many in flight: sync concurrency lowered, the batch goes again shortly',
      );
      await saveConcurrency(state);
      await applyNow();
      return new Date(Math.max(t + retryInMs, err.retryAt.getTime()));
    },

    async exhausted(err) {
      const p = await startPause('credits_exhausted', err.creditsRemaining);
      return new Date(p.until);
    },

    async translate(err) {
      if (err instanceof ConcurrencyLimitError) {
        const retryAt = await pressure.collided(err);
        return new ConcurrencyLimitError(err.code, err.message, retryAt, err.creditsRemaining, {
          status: err.status,
          cause: err,
        });
      }
      if (err instanceof CreditsExhaustedError) {
        const until = await pressure.exhausted(err);
        return new CreditsExhaustedError(err.code, err.message, until, err.creditsRemaining, {
          status: err.status,
          cause: err,
        });
      }
      return err;
    },

    async run(fn) {
      const call = async () => {
        const gate = await admit();
        if (gate.kind === 'wait') throw new CreditPauseError(gate.reason, gate.until, credits?.remaining ?? null);
        try {
          const result = await fn();
          // bookkeeping in Redis must not hold up recording the answer (Redis may be the thing that is slow)
          void pressure.succeeded();
          return result;
        } catch (err) {
          throw await pressure.translate(err);
        }
      };
      return opts.limiter ? opts.limiter(call) : call();
    },
  };
  // health shows the reserve and the concurrency from the start, not only after the first change
  void refresh(true).then(() => saveConcurrency(concurrency));
  return pressure;
}
