export interface GroupCommitOptions {
  /** Most items one call carries. */
  maxBatch: number;
  /** Calls on their way at once; items arriving beyond that wait and leave together. */
  maxInFlight: number;
  /**
   * Items that may wait for a call; one more is refused at once. Under overload a queue without
   * end only makes every answer late and holds every body in memory; refused, a client retries.
   */
  maxWaiting: number;
}

export interface GroupCommitRules {
  /**
   * Whether a call of several items failed because of one of them, having done nothing, so that
   * each should go again in a call of its own (see retryRowsAlone). Default: never.
   */
  retryAlone?: (err: unknown) => boolean;
  /** What an item is refused with while `maxWaiting` items wait. */
  refuse?: (waiting: number) => Error;
}

interface Waiting<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit, as databases do it for their log: an item leaves at once while fewer than
 * `maxInFlight` calls are on their way (no timer, so a lone request waits for nothing); beyond
 * that, items wait for a call to come back and then leave together in one. Batches grow only
 * with load, which is when sharing one round trip and one transaction pays.
 *
 * `send` settles each item, in order (as Promise.allSettled does), so one item can fail alone;
 * when `send` itself throws, every item of that call gets the error, unless `retryAlone` says
 * one item caused it: then each goes again alone, ahead of newer items and within
 * `maxInFlight` like every other call, so a fallback never becomes a burst.
 */
export function groupCommit<I, O>(
  send: (items: I[]) => Promise<PromiseSettledResult<O>[]>,
  options: GroupCommitOptions,
  rules: GroupCommitRules = {},
): (item: I) => Promise<O> {
  const waiting: Waiting<I, O>[] = [];
  /** Items of a failed call, each to go in a call of its own before anything newer. */
  const alone: Waiting<I, O>[] = [];
  let inFlight = 0;
  const retryAlone = rules.retryAlone ?? (() => false);
  const refuse = rules.refuse ?? ((n: number) => new Error(`group commit: ${n} items waiting already`));

  const dispatch = async (batch: Waiting<I, O>[]) => {
    inFlight++;
    try {
      const results = await send(batch.map((w) => w.item));
      if (results.length !== batch.length) {
        throw new Error(`group commit: ${results.length} results for ${batch.length} items`);
      }
      for (const [i, w] of batch.entries()) {
        const result = results[i] as PromiseSettledResult<O>;
        if (result.status === 'fulfilled') w.resolve(result.value);
        else w.reject(result.reason);
      }
    } catch (err) {
      if (batch.length > 1 && retryAlone(err)) alone.push(...batch);
      else for (const w of batch) w.reject(err);
    } finally {
      inFlight--;
      pump();
    }
  };

  const pump = () => {
    while (inFlight < options.maxInFlight && (alone.length > 0 || waiting.length > 0)) {
      void dispatch(alone.length > 0 ? alone.splice(0, 1) : waiting.splice(0, options.maxBatch));
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      const queued = waiting.length + alone.length;
      // an item that can leave at once never waits, so it is never refused
      if (queued >= options.maxWaiting && inFlight >= options.maxInFlight) {
        reject(refuse(queued));
        return;
      }
      waiting.push({ item, resolve, reject });
      pump();
    });
}
