/**
 * The phone rule for every part of leadsync: one canonical form (`+` when international, then
 * ASCII digits) that intake stores, the Zoho mapping sends and Zoho's duplicate check compares, so
 * "(030) 123-45 67" and "030 1234567" are one person. Intake refuses a number this rule refuses
 * (Zoho's Phone field would refuse it at sync time, when the visitor can no longer fix it); the
 * mapping leaves such a number out of the record and keeps it in Description.
 */

/** Zoho's Phone field holds 30 characters; the canonical form (separators stripped) must fit. */
export const PHONE_MAX = 30;
/** What a visitor may type: a little slack for separators, still bounded. */
export const PHONE_TYPED_MAX = 40;
/** Fewer digits than this is not a number anyone can call back. */
export const PHONE_MIN_DIGITS = 5;

/**
 * What may be typed (after NFKC has folded full-width digits): ASCII digits, a plus only in
 * front, and the separators people type. Zoho's Phone field refuses letters (so no "ext. 12")
 * and other scripts' digits. Linear: one character class, no nesting.
 */
export const PHONE_TYPED = /^\+?[0-9 ().-]+$/;

const SEPARATORS = /[ ().-]/g;

/** Typed text as the rule reads it: full-width digits folded to ASCII (NFKC), blanks trimmed. */
export function preparePhone(typed: string): string {
  return typed.normalize('NFKC').trim();
}

/**
 * The canonical form of a prepared number that matches PHONE_TYPED: separators stripped, and a
 * leading "00" (the international call prefix almost everywhere) written as "+", so "0049 30 …"
 * and "+49 30 …" are one person to the duplicate check. No country is guessed.
 */
export function canonicalPhone(prepared: string): string {
  const stripped = prepared.replace(SEPARATORS, '');
  return stripped.startsWith('00') ? `+${stripped.slice(2)}` : stripped;
}

/** How many digits a canonical number holds (its `+` is not one). */
export function phoneDigits(canonical: string): number {
  return canonical.startsWith('+') ? canonical.length - 1 : canonical.length;
}

/** Whether a canonical number fits Zoho's Phone field and has enough digits to be called. */
export function isPhone(canonical: string): boolean {
  return canonical.length <= PHONE_MAX && phoneDigits(canonical) >= PHONE_MIN_DIGITS;
}

/** The canonical number, or null when empty or not a number Zoho's Phone field takes. */
export function normalizePhone(value: string | null | undefined): string | null {
  const prepared = preparePhone(value ?? '');
  if (prepared === '' || prepared.length > PHONE_TYPED_MAX || !PHONE_TYPED.test(prepared)) return null;
  const phone = canonicalPhone(prepared);
  return isPhone(phone) ? phone : null;
}
