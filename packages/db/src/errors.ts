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

// Postgres classes one row causes: 22 data exception (a value its column cannot hold), 23
// integrity constraint violation (a check, not-null, unique or foreign key the row breaks), and
// 54000 program limit exceeded (a value over a size limit, e.g. an index row too large).
const ROW_SQLSTATE = /^(22|23|54000$)/;

/**
 * After a call carrying several rows failed: whether each row should go again in a call of its
 * own. Yes only when the failure is one row's own, so the others succeed alone: Postgres rolled
 * the whole call back, nothing of it was stored. Also PGRST202, the batch function missing (a
 * database not migrated that far) while the single one works. Everything else (too many
 * connections, a statement timeout, a deadlock, the gateway down, a bug in our SQL) would fail
 * each row alike, or only add load to a database already short of it: the call fails whole and
 * its clients retry later.
 */
export function retryRowsAlone(err: unknown): boolean {
  if (!(err instanceof DbError) || err.code === undefined) return false;
  return ROW_SQLSTATE.test(err.code) || err.code === 'PGRST202';
}

export function isRetryableDbError(err: unknown): err is DbUnavailableError {
  return err instanceof DbUnavailableError;
}
