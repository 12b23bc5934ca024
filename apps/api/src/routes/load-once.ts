/**
 * A value made on first use and kept (a module imported on a route's first request, so start-up
 * does not pay for it); a failure is not kept, so the next call tries again rather than failing
 * forever.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load().catch((err: unknown) => {
      value = undefined;
      throw err;
    });
    return value;
  };
}
