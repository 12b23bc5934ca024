import { RetryLaterError } from '@leadsync/zoho-client';
import { isOutage } from './outage.js';
import { type BatchOutcome, EMPTY_OUTCOME, type SyncDeps, SyncPausedError, syncBatch } from './sync-batch.js';

export interface DrainOptions {
  /** Batches this drain keeps in flight at once. */
  parallel: number;
  /** Stop after about this many leads (admin `limit`); all due leads without it. */
  limit?: number;
  /** Shutdown: finish the batches in flight, claim no more. */
  signal?: AbortSignal;
}

export function addOutcomes(a: BatchOutcome, b: BatchOutcome): BatchOutcome {
  const times = [a.nextRetryAt, b.nextRetryAt].filter((t): t is Date => t !== null);
  const nextRetryAt = times.length ? new Date(Math.min(...times.map((t) => t.getTime()))) : null;
  return {
    claimed: a.claimed + b.claimed,
    synced: a.synced + b.synced,
    failed: a.failed + b.failed,
    retrying: a.retrying + b.retrying,
    released: a.released + b.released,
    zohoCalls: a.zohoCalls + b.zohoCalls,
    nextRetryAt,
  };
}

/**
 * Syncs batch after batch until no lead is due (or the limit is reached), with `parallel` loops
 * claiming side by side; SKIP LOCKED keeps them from ever taking the same lead. While the outage
 * breaker is open nothing is claimed (SyncPausedError: the caller pauses the queue); when it is
 * half-open, one probe batch goes first, and only its success lets the loops start.
 */
export async function drainDue(deps: SyncDeps, options: DrainOptions): Promise<BatchOutcome> {
  let total: BatchOutcome = { ...EMPTY_OUTCOME };
  let budget = options.limit ?? Number.POSITIVE_INFINITY;
  const batchSize = deps.settings.batchSize;

  if (options.signal?.aborted) return total;
  const admission = (await deps.outage?.admit()) ?? { kind: 'run' };
  if (admission.kind === 'wait') {
    throw new SyncPausedError(
      new RetryLaterError('ZOHO_OUTAGE', 'Zoho was failing every call; waiting for the next probe'),
      admission.until,
    );
  }
  if (admission.kind === 'probe') {
    let probe: BatchOutcome;
    try {
      probe = await syncBatch(deps, Math.min(batchSize, budget));
    } catch (err) {
      // a probe that met the outage again has re-opened the breaker (syncBatch tripped it)
      if (!(err instanceof SyncPausedError && isOutage(err.zohoError))) await deps.outage?.probed(false);
      throw err;
    }
    await deps.outage?.probed(probe.zohoCalls > 0);
    total = probe;
    budget -= probe.claimed;
    if (probe.claimed < batchSize || probe.zohoCalls === 0) return total;
  }

  // One loop failing (Zoho paused us, the database went away) stops the others after their
  // current batch; the first error is rethrown once every batch in flight has been recorded.
  const stop = new AbortController();
  const loop = async () => {
    try {
      while (!stop.signal.aborted && !options.signal?.aborted && budget > 0) {
        const take = Math.min(batchSize, budget);
        budget -= take;
        const outcome = await syncBatch(deps, take);
        budget += take - outcome.claimed;
        total = addOutcomes(total, outcome);
        if (outcome.claimed < take) return;
      }
    } catch (err) {
      stop.abort();
      throw err;
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.max(1, options.parallel) }, loop));
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
  return total;
}
