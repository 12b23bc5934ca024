/**
 * Settles with `work`, or, if it has not settled within `ms`, with what `onTimeout` returns (or
 * throws; by default an Error "timed out after {ms} ms"). The timer is cleared as soon as either happens, so a finished call leaves nothing
 * running to hold the process open. `work` is not cancelled: the caller decides what a late
 * answer means (most just stop waiting for it).
 */
export function withTimeout<T, U = never>(
  work: Promise<T>,
  ms: number,
  onTimeout: () => U = () => {
    throw new Error(`timed out after ${ms} ms`);
  },
): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<U>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (err) {
        reject(err);
      }
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
