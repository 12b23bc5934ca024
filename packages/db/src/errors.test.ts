import { describe, expect, it } from '@jest/globals';
import { retryRowsAlone, toDbError } from './errors.js';

/** The error run() makes of a PostgREST answer carrying this SQLSTATE (or PostgREST code). */
const failed = (code: string | undefined, status = 400) => toDbError({ message: 'x', code }, status, 'store leads');

describe('retryRowsAlone: whether the rows of a failed call go again one by one', () => {
  it.each([
    ['22001', 'a value too long for its column'],
    ['22P02', 'text a column type cannot read'],
    ['22P05', 'an unsupported Unicode escape (NUL) in jsonb'],
    ['23502', 'a not-null column left empty'],
    ['23505', 'a unique key taken'],
    ['23514', 'a check constraint broken'],
    ['54000', 'one value over a program limit (e.g. an index row too large)'],
    ['PGRST202', 'no batch function yet (a database not migrated that far)'],
  ])('yes for %s: %s', (code) => {
    expect(retryRowsAlone(failed(code))).toBe(true);
  });

  it.each([
    ['53300', 'too many connections', 503],
    ['53200', 'out of memory', 503],
    ['57014', 'statement timeout', 503],
    ['57P01', 'the server shutting down', 503],
    ['08006', 'the connection lost', 503],
    ['40P01', 'a deadlock', 503],
    ['40001', 'a serialization failure', 503],
    ['42883', 'a function missing (our bug: each row alone fails the same)', 404],
    ['42501', 'permission denied', 403],
    ['PGRST000', 'PostgREST cannot reach Postgres', 503],
    [undefined, 'the gateway down (fetch failed)', 0],
    [undefined, 'the gateway answering 502', 502],
  ])('no for %s: %s', (code, _why, status) => {
    expect(retryRowsAlone(failed(code, status))).toBe(false);
  });

  it('no for anything that is not a database error', () => {
    expect(retryRowsAlone(new Error('23505'))).toBe(false);
    expect(retryRowsAlone({ code: '23505' })).toBe(false);
  });
});
