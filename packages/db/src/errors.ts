/**
 * supabase-js returns errors instead of throwing, as plain objects (not instanceof Error). Each is
 * turned into one of these, named by what the caller must do.
 */
export class DbError extends Error {
  override name = 'DbError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Supabase (the gateway, PostgREST or Postgres) is unreachable or overloaded: retry later. */
export class DbUnavailableError extends DbError {
  override name = 'DbUnavailableError';
}

/** A unique constraint said no: the row exists already (replay, not a failure). */
export class DbConflictError extends DbError {
  override name = 'DbConflictError';
}

/** Anything else is a bug in our query or schema: do not retry, fix the code. */
export class DbQueryError extends DbError {
  override name = 'DbQueryError';
}

export interface PostgrestErrorLike {
  message?: string;
  code?: string;
  details?: string | null;
  hint?: string | null;
}

// Postgres classes that mean "the database is not able to answer now", not "the query is wrong":
// 08 connection, 53 insufficient resources, 57 operator intervention (shutdown), 40001/40P01.
const TRANSIENT_SQLSTATE = /^(08|53|57|40001|40P01)/;

export function toDbError(error: PostgrestErrorLike, status: number, what: string): DbError {
  const code = error.code || undefined;
  const message = `${what}: ${error.message ?? 'unknown error'}${code ? ` (${code})` : ''}`;
  // status 0 is supabase-js's "fetch failed"; 5xx without a SQLSTATE is the gateway/PostgREST.
  if (
    status === 0 ||
    status >= 500 ||
    status === 429 ||
    (code && TRANSIENT_SQLSTATE.test(code)) ||
    code === 'PGRST000' ||
    code === 'PGRST001' ||
    code === 'PGRST002'
  ) {
    return new DbUnavailableError(message, status, code);
  }
  if (code === '23505') return new DbConflictError(message, status, code);
  return new DbQueryError(message, status, code);
}

export function isRetryableDbError(err: unknown): err is DbUnavailableError {
  return err instanceof DbUnavailableError;
}
