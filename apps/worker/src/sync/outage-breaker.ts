import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type Backoff, type BreakerState, breakerPhase, tripBreaker } from './outage.js';

/** What a drain may do now, by the outage breaker. */
export type Admission = { kind: 'run' } | { kind: 'probe' } | { kind: 'wait'; until: Date };

/** The circuit breaker for Zoho-wide outages, shared by every worker of the deployment. */
export interface OutageGate {
  /** Before a drain claims anything. */
  admit(): Promise<Admission>;
  /** A whole Zoho call failed transiently (see isOutage): opens the breaker; returns when the next probe may go. */
  tripped(): Promise<Date>;
  /** The probe admitted by admit() ended without an outage; `answered`: Zoho answered at least one call of it. */
  probed(answered: boolean): Promise<void>;
}

/** The subset of ioredis this needs. */
export interface BreakerRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, px: 'PX', ms: number): Promise<unknown>;
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<unknown>;
  pttl(key: string): Promise<number>;
  del(...keys: string[]): Promise<number>;
}

/**
 * The breaker's state lives in Redis so that all workers pause and probe together, and the
 * pause itself is BullMQ's (the caller rate-limits the sync queue until the returned time), so
 * no timer of ours holds anything. The probe's turn is a SET NX key: one probe batch at a time
 * across the deployment, however many jobs start when the pause ends.
 *
 * Redis may be the thing that is down. Then the last state this process saw stands in (each
 * process pauses and probes on its own), and the leads handed back carry their own not-before
 * time in the database, so nothing retries in a hot loop either way.
 */
export function createOutageBreaker(opts: {
  redis: BreakerRedis;
  prefix: string;
  backoff: Backoff;
  /** How long a probe may take (its claim's lease): past it, a probe whose worker died is forgotten. */
  probeTurnMs: number;
  logger: Logger;
  now?: () => number;
  random?: () => number;
}): OutageGate {
  const { redis, backoff, logger } = opts;
  const now = opts.now ?? Date.now;
  const stateKey = `${opts.prefix}:sync:outage`;
  const probeKey = `${opts.prefix}:sync:outage-probe`;
  let local: BreakerState | null = null;

  const read = async (): Promise<BreakerState | null> => {
    try {
      const raw = await redis.get(stateKey);
      local = raw ? (JSON.parse(raw) as BreakerState) : null;
    } catch (err) {
      logger.debug({ err: (err as Error).message }, 'outage breaker: Redis unavailable, using the last state seen');
    }
    return local;
  };
  const attempt = async (what: string, op: () => Promise<unknown>) => {
    try {
      await op();
    } catch (err) {
      logger.debug({ err: (err as Error).message }, `outage breaker: could not ${what}`);
    }
  };

  return {
    async admit() {
      const state = await read();
      const phase = breakerPhase(state, now());
      if (phase === 'closed' || !state) return { kind: 'run' };
      if (phase === 'open') return { kind: 'wait', until: new Date(state.probeAt) };
      let mine = true; // without Redis each process probes for itself
      let turnLeftMs = opts.probeTurnMs;
      try {
        mine = (await redis.set(probeKey, randomUUID(), 'PX', opts.probeTurnMs, 'NX')) === 'OK';
        if (!mine) turnLeftMs = await redis.pttl(probeKey);
      } catch {}
      if (mine) return { kind: 'probe' };
      // look again soon: the probe may succeed long before its turn runs out
      return { kind: 'wait', until: new Date(now() + Math.max(1, Math.min(turnLeftMs, backoff.baseMs))) };
    },

    async tripped() {
      const before = await read();
      const t = now();
      const next = tripBreaker(before, t, backoff, opts.random);
      if (next !== before) {
        local = next;
        logger.warn(
          { failures: next.failures, probeAt: new Date(next.probeAt).toISOString() },
          'Zoho is failing every call: sync paused until the next probe',
        );
        // outlives the next probe by one longest delay: a breaker nobody probes is forgotten
        await attempt('open', () => redis.set(stateKey, JSON.stringify(next), 'PX', next.probeAt - t + backoff.maxMs));
        await attempt('release the probe turn', () => redis.del(probeKey));
      }
      return new Date(next.probeAt);
    },

    async probed(answered) {
      if (answered) {
        if (local) logger.info({ failures: local.failures }, 'Zoho answers again: sync resumed');
        local = null;
        await attempt('close', () => redis.del(stateKey, probeKey));
      } else {
        await attempt('release the probe turn', () => redis.del(probeKey));
      }
    },
  };
}
