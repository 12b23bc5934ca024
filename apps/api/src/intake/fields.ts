import {
  canonicalEmail,
  canonicalPhone,
  EMAIL_MAX,
  EMAIL_PATTERN,
  PHONE_MAX,
  PHONE_MIN_DIGITS,
  PHONE_TYPED,
  PHONE_TYPED_MAX,
  phoneDigits,
  preparePhone,
} from '@leadsync/lead';
import { z } from 'zod';
import { hasLoneSurrogate } from './payload.js';

/**
 * Field types intake shares between its two sources. Every one treats null, absent and blank
 * text alike (a form posts empty inputs as ""), trims, and stores NFC so the same name typed on
 * two keyboards is the same string.
 *
 * zod 4 keeps checking after a check failed, and hands preprocess functions any JSON value: every
 * function here (preprocess, refinement, message) checks the type it needs and cannot throw, and
 * no pattern runs on text longer than its field's cap (`withinCap`).
 */

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

const prepareLine = (s: string) => s.trim().normalize('NFC');
// CRLF from HTML forms made LF.
const prepareText = (s: string) => s.trim().replace(/\r\n?/g, '\n').normalize('NFC');

/**
 * Check options for a pattern: it runs only on text within `max`. `.max()` does not stop zod's
 * later checks, and `abort` would also stop the cross-field rules (a visitor should see every
 * problem at once), so the condition is stated on the value itself.
 */
const withinCap = (max: number) =>
  ({ when: ({ value }: { value: unknown }) => typeof value === 'string' && value.length <= max }) as const;

// zod calls this for a required key that is absent too (a transcript entry without content).
const NOT_TEXT = {
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : 'must be text'),
};

/** Text of at most `max` UTF-16 units, refused with one message if a pattern in `forbidden` matches. */
function text(max: number, forbidden?: { pattern: RegExp; message: string }) {
  const checked = z
    .string(NOT_TEXT)
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !hasLoneSurrogate(v), { message: 'must be valid Unicode text', ...withinCap(max) });
  if (!forbidden) return checked;
  return checked.refine((v) => !forbidden.pattern.test(v), { message: forbidden.message, ...withinCap(max) });
}

const oneLine = (max: number) =>
  text(max, { pattern: SINGLE_LINE_FORBIDDEN, message: 'must be one line without control characters' });
const freeText = (max: number) =>
  text(max, { pattern: MULTI_LINE_FORBIDDEN, message: 'must not contain control characters' });

/** One line of text, at most `max` UTF-16 units once trimmed. */
export function singleLine(max: number) {
  return z.preprocess(absentIfBlank(prepareLine), oneLine(max).optional());
}

/** Free text (a message, a transcript line): newlines kept, CRLF from HTML forms made LF. */
export function multiLine(max: number) {
  return z.preprocess(absentIfBlank(prepareText), freeText(max).optional());
}

/**
 * Free text that must be present, where null or blanks mean "nothing here" and read as "" (a
 * chat bubble that held a card or an image).
 */
export function multiLineOrEmpty(max: number) {
  return z.preprocess((v) => (v === null ? '' : typeof v === 'string' ? prepareText(v) : v), freeText(max));
}

/** Like singleLine, but a JSON number (a budget of 5000) is taken as its text. */
export function singleLineOrNumber(max: number) {
  return z.preprocess((v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : v), singleLine(max));
}

/**
 * @leadsync/lead's email rule (the one the Zoho mapping applies), checked on the canonical form
 * because what is stored is what must pass.
 */
export const email = z.preprocess(
  absentIfBlank(canonicalEmail),
  text(EMAIL_MAX)
    .regex(EMAIL_PATTERN, { message: 'must be a valid email address', ...withinCap(EMAIL_MAX) })
    .optional(),
);

/**
 * @leadsync/lead's phone rule (the one the Zoho mapping applies), step by step so a visitor is
 * told which part failed; what is stored is its canonical form (`+` and digits).
 */
export const phone = z.preprocess(
  absentIfBlank(preparePhone),
  z
    .string(NOT_TEXT)
    .max(PHONE_TYPED_MAX, `must be at most ${PHONE_TYPED_MAX} characters`)
    .regex(PHONE_TYPED, {
      message: 'may hold only digits, a leading + and spaces, dashes, dots or brackets',
      ...withinCap(PHONE_TYPED_MAX),
    })
    .transform(canonicalPhone)
    .pipe(
      z
        .string()
        .max(PHONE_MAX, `must be at most ${PHONE_MAX} characters without separators`)
        .refine((v) => phoneDigits(v) >= PHONE_MIN_DIGITS, `must have at least ${PHONE_MIN_DIGITS} digits`),
    )
    .optional(),
);
