/** The IETF draft leaves the format open; printable ASCII keeps keys safe to log and to index. */
const VALID_KEY = /^[\x20-\x7E]{1,255}$/;

export type IdempotencyKeyHeader = { ok: true; key: string | undefined } | { ok: false; message: string };

export function readIdempotencyKey(header: string | undefined): IdempotencyKeyHeader {
  if (header === undefined) return { ok: true, key: undefined };
  if (!VALID_KEY.test(header)) {
    return { ok: false, message: 'Idempotency-Key must be 1 to 255 printable ASCII characters' };
  }
  return { ok: true, key: header };
}
