import { EMAIL_MAX } from './email.js';
import { PHONE_MAX } from './phone.js';

/** Where a lead came in. */
export type LeadSource = 'quote_form' | 'chatbot';

/** One message of a chatbot transcript. */
export type TranscriptEntry = { role: 'user' | 'bot'; content: string };

/**
 * What a lead holds: the fields intake stores (the names of the leads table's columns) and the
 * Zoho mapping reads. Absent values are null.
 */
export interface LeadContent {
  source: LeadSource;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  message: string | null;
  transcript: TranscriptEntry[] | string | null;
  service: string | null;
  budget: string | null;
  page_url: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
}

/**
 * The Zoho Leads fields a lead is written to and how many characters each holds (docs/zoho-crm.md
 * §9); a longer value is refused with INVALID_DATA maximum_length. Intake caps what it accepts at
 * these lengths, and the mapping cuts what it sends to them.
 *
 * | lead field | Zoho field |
 * | --- | --- |
 * | first_name / last_name (or `name`, split) | First_Name / Last_Name |
 * | email, phone, company | Email, Phone, Company |
 * | source | Lead_Source |
 * | message or transcript, and the details without a field of their own | Description |
 *
 * Company: the v7 field metadata says 200 (the help page still says 100); the field metadata
 * describes the API, so 200.
 */
export const ZOHO_LEAD_FIELD_LIMITS = {
  First_Name: 40,
  Last_Name: 80,
  Email: EMAIL_MAX,
  Phone: PHONE_MAX,
  Company: 200,
  Lead_Source: 120,
  Description: 32_000,
} as const;
