import { type BatchOutcome, EMPTY_OUTCOME, type SyncDeps, syncBatch } from './sync-batch.js';

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
 * claiming side by side; SKIP LOCKED keeps them from ever taking the same lead.
 */
export async function drainDue(deps: SyncDeps, options: DrainOptions): Promise<BatchOutcome> {
  let total: BatchOutcome = { ...EMPTY_OUTCOME };
  let budget = options.limit ?? Number.POSITIVE_INFINITY;
  const batchSize = deps.settings.batchSize;

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
