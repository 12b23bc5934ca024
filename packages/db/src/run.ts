import { toDbError } from './errors.js';

interface PostgrestResult<T> {
  data: T | null;
  error: { message?: string; code?: string } | null;
  status: number;
}

/** Awaits a supabase-js call and throws the typed error it returned, if any. */
export async function run<T>(what: string, query: PromiseLike<PostgrestResult<T>>): Promise<T | null> {
  let result: PostgrestResult<T>;
  try {
    result = await query;
  } catch (err) {
    // supabase-js throws only for transport problems it does not wrap (e.g. an aborted fetch)
    throw toDbError({ message: (err as Error).message }, 0, what);
  }
  if (result.error) throw toDbError(result.error, result.status, what);
  return result.data;
}
