/**
 * @leadsync/lead: the lead as a domain, pure and dependency-free: its fields and their Zoho
 * limits, the email and phone rules, the duplicate-check rule and the statuses. Intake (what it
 * accepts and stores), packages/db (the row types) and the Zoho mapping (what it sends) all import
 * these, so the edges can never drift apart. Every export of every module is public.
 */
export * from './duplicate-check.js';
export * from './email.js';
export * from './fields.js';
export * from './phone.js';
export * from './status.js';
