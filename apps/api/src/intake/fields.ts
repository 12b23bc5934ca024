import { z } from 'zod';

/**
 * Field types intake shares between its two sources. Every one treats null, absent and blank
 * text alike (a form posts empty inputs as ""), trims, and stores NFC so the same name typed on
 * two keyboards is the same string.
 */

// Postgres refuses lone surrogates (and NUL) inside jsonb/text: let one through and the insert
// fails with a 5xx. \p{Cs} under the `u` flag matches only unpaired halves.
const LONE_SURROGATE = /\p{Cs}/u;
// Single-line fields: no C0/C1 controls (tabs and newlines included) and no Unicode line breaks,
// which would forge extra lines in CSV exports, e-mail headers and logs.
const SINGLE_LINE_FORBIDDEN = /[\p{Cc}\u2028\u2029]/u;
// Multi-line fields keep tab and newline (CR is folded into LF first); other controls (NUL,
// terminal escape sequences) are refused.
const MULTI_LINE_FORBIDDEN = /(?![\t\n])\p{Cc}/u;

export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

const absentIfBlank = (prepare: (s: string) => string) => (value: unknown) => {
  if (isBlank(value)) return undefined;
  return typeof value === 'string' ? prepare(value) : value;
};

const NOT_TEXT = { error: 'must be text' } as const;

function wellFormed(s: z.ZodString) {
  return s.refine((v) => !LONE_SURROGATE.test(v), 'must be valid Unicode text');
}

/** One line of text, at most `max` UTF-16 units once trimmed. */
export function singleLine(max: number) {
  return z.preprocess(
    absentIfBlank((s) => s.trim().normalize('NFC')),
    wellFormed(z.string(NOT_TEXT).max(max, `must be at most ${max} characters`))
      .refine((v) => !SINGLE_LINE_FORBIDDEN.test(v), 'must be one line without control characters')
      .optional(),
  );
}

/** Free text (a message, a transcript line): newlines kept, CRLF from HTML forms made LF. */
export function multiLine(max: number) {
  return z.preprocess(
    absentIfBlank((s) => s.trim().replace(/\r\n?/g, '\n').normalize('NFC')),
    wellFormed(z.string(NOT_TEXT).max(max, `must be at most ${max} characters`))
      .refine((v) => !MULTI_LINE_FORBIDDEN.test(v), 'must not contain control characters')
      .optional(),
  );
}

/** Like singleLine, but a JSON number (a budget of 5000) is taken as its text. */
export function singleLineOrNumber(max: number) {
  return z.preprocess((v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : v), singleLine(max));
}

/**
 * Zoho's documented pattern for email fields (zoho-crm-api.md §9.3), verbatim. An address outside
 * it would be refused by Zoho at sync time, when the visitor can no longer fix the typo.
 */
export const ZOHO_EMAIL_PATTERN =
  /^[+\-\p{L}\p{M}\p{N}_]([\p{L}\p{M}\p{N}!#$%&'*+\-/=?^_`{|}~.]*)@(?=.{4,256}$)(([\p{L}\p{N}\p{M}]+)(([-_]*[\p{L}\p{M}\p{N}])*)[.])+[\p{L}\p{M}]{2,22}$/u;

/** Zoho's Email field holds 100 characters and an address cannot be shortened. */
export const EMAIL_MAX = 100;

/** Checked after lower-casing: a few letters grow when lower-cased, and what we store is what must pass. */
export const email = z.preprocess(
  absentIfBlank((s) => s.trim().normalize('NFC').toLowerCase()),
  wellFormed(z.string(NOT_TEXT).max(EMAIL_MAX, `must be at most ${EMAIL_MAX} characters`))
    .regex(ZOHO_EMAIL_PATTERN, 'must be a valid email address')
    .optional(),
);

/** Zoho's Phone field holds 30 characters; what we store (separators stripped) must fit. */
export const PHONE_MAX = 30;
/** What a visitor may type: a little slack for separators, still bounded. */
export const PHONE_TYPED_MAX = 40;
export const PHONE_MIN_DIGITS = 5;
// ASCII digits only (after NFKC folds full-width ones): Zoho's phone field refuses other scripts'
// digits. A plus only in front; the separators people type are stripped before storing.
const PHONE_TYPED = /^\+?[0-9 ().-]+$/;

export function normalisePhone(typed: string): string {
  return typed.replace(/[ ().-]/g, '');
}

/**
 * A phone number Zoho's phone field accepts, stored as digits with an optional leading +.
 * At least as strict as packages/zoho-sim's isZohoPhone (/^[0-9+\-(). ]+$/ with a digit, 30 max).
 */
export const phone = z.preprocess(
  absentIfBlank((s) => s.normalize('NFKC').trim()),
  z
    .string(NOT_TEXT)
    .max(PHONE_TYPED_MAX, `must be at most ${PHONE_TYPED_MAX} characters`)
    .regex(PHONE_TYPED, 'may hold only digits, a leading + and spaces, dashes, dots or brackets')
    .transform(normalisePhone)
    .pipe(
      z
        .string()
        .max(PHONE_MAX, `must be at most ${PHONE_MAX} characters without separators`)
        .refine((v) => v.replace('+', '').length >= PHONE_MIN_DIGITS, `must have at least ${PHONE_MIN_DIGITS} digits`),
    )
    .optional(),
);
