export interface GroupCommitOptions {
  /** Most items one call carries. */
  maxBatch: number;
  /** Calls on their way at once; items arriving beyond that wait and leave together. */
  maxInFlight: number;
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
 * when `send` itself throws, every item of that call gets the error.
 */
export function groupCommit<I, O>(
  send: (items: I[]) => Promise<PromiseSettledResult<O>[]>,
  options: GroupCommitOptions,
): (item: I) => Promise<O> {
  const waiting: Waiting<I, O>[] = [];
  let inFlight = 0;

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
      for (const w of batch) w.reject(err);
    } finally {
      inFlight--;
      pump();
    }
  };

  const pump = () => {
    while (inFlight < options.maxInFlight && waiting.length > 0) {
      void dispatch(waiting.splice(0, options.maxBatch));
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      pump();
    });
}
