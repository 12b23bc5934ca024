import { createHash } from 'node:crypto';

/** One bad field, as the 422 body names it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Deep enough for any form or chatbot payload; deeper only costs stack and jsonb time. */
export const MAX_PAYLOAD_DEPTH = 16;

// Postgres refuses lone surrogates (and NUL) inside jsonb and text: let one through and storing
// the lead fails with a server error instead of a 422. \p{Cs} under the `u` flag matches only
// unpaired halves (a pair is one code point there).
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether `s` holds half of a UTF-16 surrogate pair without the other half. */
export const hasLoneSurrogate = (s: string) => LONE_SURROGATE.test(s);

// The whole raw payload (unknown fields included) must be storable, not only the fields intake reads.
const isUnstorable = (s: string) => s.includes('\u0000') || hasLoneSurrogate(s);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Issues that would stop the body from being stored verbatim as the lead's raw payload. */
export function unstorableIssues(body: Record<string, unknown>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const walk = (value: unknown, path: string[], depth: number): void => {
    const where = path.join('.');
    if (depth > MAX_PAYLOAD_DEPTH) {
      issues.push({ path: where, message: `is nested deeper than ${MAX_PAYLOAD_DEPTH} levels` });
      return;
    }
    if (typeof value === 'string') {
      if (isUnstorable(value)) issues.push({ path: where, message: 'must be valid Unicode text without NUL' });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        walk(item, [...path, String(i)], depth + 1);
      });
    } else if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (isUnstorable(key)) {
          issues.push({ path: [...path, key].join('.'), message: 'field name must be valid Unicode text without NUL' });
        } else {
          walk(item, [...path, key], depth + 1);
        }
      }
    }
  };
  walk(body, [], 0);
  return issues;
}

/** JSON with object keys sorted at every level: equal bodies give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Recognises a reused Idempotency-Key sent with another body (the stored fingerprint differs). */
export function fingerprint(body: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}
