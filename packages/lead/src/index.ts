/**
 * @leadsync/lead: the rules a lead's fields obey, pure and dependency-free, shared by intake (what
 * it accepts and stores) and the Zoho mapping (what it sends), so the two can never drift apart.
 */
export { canonicalEmail, EMAIL_MAX, EMAIL_PATTERN, isEmail, normalizeEmail } from './email.js';
