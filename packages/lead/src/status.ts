/**
 * Every status a lead can have, in the order a lead passes them (the leads.status check
 * constraint in supabase/migrations lists the same): pending until Zoho has confirmed it, syncing
 * while a worker holds it, synced or failed after Zoho's answer; spam is held back from Zoho.
 */
export const LEAD_STATUSES = ['pending', 'syncing', 'synced', 'failed', 'spam'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];
