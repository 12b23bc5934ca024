/**
 * @leadsync/lead: the lead as a domain, pure and dependency-free: its fields and their Zoho
 * limits, the email and phone rules, the duplicate-check rule and the statuses. Intake (what it
 * accepts and stores), packages/db (the row types) and the Zoho mapping (what it sends) all import
 * these, so the edges can never drift apart.
 */
export {
  type DuplicateCheckable,
  type DuplicateCheckFields,
  duplicateCheckFieldsFor,
  duplicateCheckIdentity,
} from './duplicate-check.js';
export { canonicalEmail, EMAIL_MAX, EMAIL_PATTERN, isEmail, normalizeEmail } from './email.js';
export { type LeadContent, type LeadSource, type TranscriptEntry, ZOHO_LEAD_FIELD_LIMITS } from './fields.js';
export {
  canonicalPhone,
  isPhone,
  normalizePhone,
  PHONE_MAX,
  PHONE_MIN_DIGITS,
  PHONE_TYPED,
  PHONE_TYPED_MAX,
  phoneDigits,
  preparePhone,
} from './phone.js';
export { LEAD_STATUSES, type LeadStatus } from './status.js';
