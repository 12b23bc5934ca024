/**
 * The email rule for every part of leadsync: an address Zoho CRM's Email field accepts. Intake
 * refuses anything else (Zoho would refuse it at sync time, when the visitor can no longer fix the
 * typo), and the Zoho mapping leaves anything else out of the record.
 */

/** Zoho's Email field holds 100 characters, and an address cannot be shortened. */
export const EMAIL_MAX = 100;

/**
 * The pattern Zoho documents for email fields: Unicode letters, marks and digits; a domain of
 * 4–256 characters after the `@`; a top-level label of 2–22 letters. Zoho writes a domain label
 * as `X+([-_]*X)*`, whose nested quantifiers can split "aa" two ways, so a near-miss with 22
 * labels made the engine try about 2^22 splits (7 s for 93 characters, the process frozen).
 * `X+([-_]+X+)*` is the same language and matches a label only one way: linear in the input.
 * Needs the `u` flag for `\p{…}`.
 */
export const EMAIL_PATTERN =
  /^[+\-\p{L}\p{M}\p{N}_][\p{L}\p{M}\p{N}!#$%&'*+\-/=?^_`{|}~.]*@(?=.{4,256}$)(?:[\p{L}\p{N}\p{M}]+(?:[-_]+[\p{L}\p{M}\p{N}]+)*[.])+[\p{L}\p{M}]{2,22}$/u;

/**
 * What is stored and compared: trimmed, composed (NFC, so one address typed on two keyboards is
 * one string) and lower-cased, as Zoho's duplicate check ignores case. Lower-casing comes last
 * because a few letters grow when lower-cased (İ becomes two units): the result is what must fit.
 */
export function canonicalEmail(typed: string): string {
  return typed.trim().normalize('NFC').toLowerCase();
}

/** Whether `address` (already canonical) is one Zoho accepts; the length is checked before the pattern runs. */
export function isEmail(address: string): boolean {
  return address.length <= EMAIL_MAX && EMAIL_PATTERN.test(address);
}

/** The canonical address, or null when empty or not an address Zoho accepts. */
export function normalizeEmail(value: string | null | undefined): string | null {
  const address = canonicalEmail(value ?? '');
  return address !== '' && isEmail(address) ? address : null;
}
