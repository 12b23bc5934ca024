import {
  type DuplicateCheckFields,
  duplicateCheckFieldsFor,
  type LeadContent,
  normalizeEmail,
  normalizePhone,
  type TranscriptEntry,
  ZOHO_LEAD_FIELD_LIMITS,
} from '@leadsync/lead';
import { z } from 'zod';
import { FixConfigError } from './errors.js';

/**
 * Stored lead → Zoho Lead record. Pure functions only (no I/O, no clock), so every rule is
 * unit-tested and the worker can map a batch without surprises.
 *
 * Rules worth knowing:
 * - Empty values are OMITTED, never sent as null: upsert may update an existing record, and a null
 *   would erase what Zoho already holds (a phone given in an earlier form, a company).
 * - Last_Name is mandatory in Zoho (MANDATORY_NOT_FOUND otherwise) and is never empty:
 *   last_name, else the last word of `name` ("Doe, Jane" understood too), else first_name, else
 *   `lastNameFallback` (default "Unknown").
 * - Company is sent only when known, unless `companyFallback` is configured: Zoho's API enforces
 *   the layout's mandatory Company only when a Layout id is sent (docs/zoho-crm.md §9.1), and a placeholder would
 *   overwrite a real company on an update. Orgs that require it set e.g. "Not provided".
 * - Email and phone are sent in @leadsync/lead's canonical forms, the ones intake stores (email
 *   trimmed, composed and lower-cased; phone as `+` and digits). Both are the duplicate-check
 *   values, so the same person typed twice must map to the same string.
 * - Every value is cut to Zoho's field length (@leadsync/lead's ZOHO_LEAD_FIELD_LIMITS) so no
 *   record fails on INVALID_DATA maximum_length; an email or phone that Zoho would refuse (only a
 *   row stored before intake applied the rule can hold one) is left out and kept in Description
 *   rather than failing the whole record.
 */

export type TranscriptMessage = TranscriptEntry;

/** The stored lead as packages/db returns it (@leadsync/lead's fields, so this package does not import db). */
export interface MappableLead extends LeadContent {
  id: string;
}

// The lead's own rules, re-exported so this package's public API stays as it was.
export { type DuplicateCheckFields, duplicateCheckFieldsFor, normalizePhone, ZOHO_LEAD_FIELD_LIMITS };

type ExtraKey = 'service' | 'budget' | 'page_url' | 'utm_source' | 'utm_medium' | 'utm_campaign';
const EXTRA_KEYS: readonly ExtraKey[] = ['service', 'budget', 'page_url', 'utm_source', 'utm_medium', 'utm_campaign'];
const EXTRA_LABELS: Record<ExtraKey, string> = {
  service: 'Service',
  budget: 'Budget',
  page_url: 'Page',
  utm_source: 'UTM source',
  utm_medium: 'UTM medium',
  utm_campaign: 'UTM campaign',
};

export interface LeadMapping {
  /** Lead_Source picklist value per intake source (send Zoho's actual value); null = leave unset. */
  leadSource: { quote_form: string | null; chatbot: string | null };
  lastNameFallback: string;
  companyFallback: string | null;
  /** Zoho API names of (custom) fields for these lead values, e.g. `{ "utm_source": "UTM_Source" }`. */
  customFields: Partial<Record<ExtraKey, string>>;
  /** Length limit applied to custom-field values (Zoho's single-line text default is 255). */
  customFieldMaxLength: number;
  /** Values without a custom field are listed at the end of Description, so nothing is lost. */
  detailsInDescription: boolean;
  transcriptLabels: { user: string; bot: string };
  /** Sent with every record before the mapped fields (e.g. `{ "Lead_Status": "Not Contacted" }`). */
  staticFields: Record<string, string | number | boolean>;
}

/**
 * Lead_Source defaults come from Zoho's standard picklist (docs/zoho-crm.md §9.2): "Chat" exists for chat; the list
 * has no "Website"/"Web Form", and "Web Download" is the standard value closest to "came in through
 * the website". Orgs with their own values configure them.
 */
export const DEFAULT_LEAD_MAPPING: LeadMapping = Object.freeze({
  leadSource: { quote_form: 'Web Download', chatbot: 'Chat' },
  lastNameFallback: 'Unknown',
  companyFallback: null,
  customFields: {},
  customFieldMaxLength: 255,
  detailsInDescription: true,
  transcriptLabels: { user: 'Visitor', bot: 'Bot' },
  staticFields: {},
}) as LeadMapping;

const apiName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a Zoho field API name');
const mappingSchema = z
  .object({
    leadSource: z
      .object({ quote_form: z.string().min(1).nullable(), chatbot: z.string().min(1).nullable() })
      .partial()
      .strict(),
    lastNameFallback: z.string().trim().min(1).max(ZOHO_LEAD_FIELD_LIMITS.Last_Name),
    companyFallback: z.string().trim().min(1).max(ZOHO_LEAD_FIELD_LIMITS.Company).nullable(),
    customFields: z
      .object({
        service: apiName,
        budget: apiName,
        page_url: apiName,
        utm_source: apiName,
        utm_medium: apiName,
        utm_campaign: apiName,
      })
      .partial()
      .strict(),
    customFieldMaxLength: z.number().int().min(1).max(32_000),
    detailsInDescription: z.boolean(),
    transcriptLabels: z
      .object({ user: z.string().min(1), bot: z.string().min(1) })
      .partial()
      .strict(),
    staticFields: z.record(apiName, z.union([z.string(), z.number(), z.boolean()])),
  })
  .partial()
  .strict();

/** Validates a mapping (a parsed JSON mapping file) and fills the defaults. Throws FixConfigError. */
export function parseLeadMapping(input: unknown, sourceName = 'Zoho field mapping'): LeadMapping {
  const parsed = mappingSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new FixConfigError('INVALID_MAPPING', `${sourceName}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const m = parsed.data;
  const d = DEFAULT_LEAD_MAPPING;
  return {
    leadSource: { ...d.leadSource, ...m.leadSource },
    lastNameFallback: m.lastNameFallback ?? d.lastNameFallback,
    companyFallback: m.companyFallback === undefined ? d.companyFallback : m.companyFallback,
    customFields: { ...d.customFields, ...m.customFields },
    customFieldMaxLength: m.customFieldMaxLength ?? d.customFieldMaxLength,
    detailsInDescription: m.detailsInDescription ?? d.detailsInDescription,
    transcriptLabels: { ...d.transcriptLabels, ...m.transcriptLabels },
    staticFields: { ...d.staticFields, ...m.staticFields },
  };
}

// ───────────────────────────── value helpers ─────────────────────────────

/** Cuts to at most `max` UTF-16 units (how Zoho's Java side counts) without splitting a surrogate pair. */
export function truncate(value: string, max: number, marker = ''): string {
  if (value.length <= max) return value;
  let cut = Math.max(0, max - marker.length);
  const code = value.charCodeAt(cut - 1);
  if (cut > 0 && code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return value.slice(0, cut).trimEnd() + marker;
}

function clean(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const collapsed = value.replace(/\s+/g, ' ').trim();
  return collapsed === '' ? null : collapsed;
}

const NAME_SUFFIX = /^(?:jr|sr|ii|iii|iv|v|phd|md|esq)\.?$/i;

/** Zoho's First_Name / Last_Name from whatever the form gave. Last is never empty. */
export function splitName(
  lead: Pick<MappableLead, 'name' | 'first_name' | 'last_name'>,
  fallback = DEFAULT_LEAD_MAPPING.lastNameFallback,
): { first: string | null; last: string } {
  const first = clean(lead.first_name);
  const last = clean(lead.last_name);
  const name = clean(lead.name);
  if (last) return { first, last };
  if (name) {
    const comma = name.split(',');
    if (comma.length === 2 && clean(comma[0]) && clean(comma[1])) {
      return { first: clean(comma[1]), last: clean(comma[0]) as string }; // "Doe, Jane"
    }
    const words = name.split(' ');
    if (words.length >= 2) {
      const keep = words.length >= 3 && NAME_SUFFIX.test(words[words.length - 1] as string) ? 2 : 1;
      return { first: words.slice(0, -keep).join(' '), last: words.slice(-keep).join(' ') };
    }
    return { first: first && first !== name ? first : null, last: name };
  }
  if (first) return { first: null, last: first };
  return { first: null, last: fallback };
}

function isTranscriptArray(value: unknown): value is TranscriptMessage[] {
  return (
    Array.isArray(value) &&
    value.every(
      (m) =>
        m !== null &&
        typeof m === 'object' &&
        ((m as TranscriptMessage).role === 'user' || (m as TranscriptMessage).role === 'bot') &&
        typeof (m as TranscriptMessage).content === 'string',
    )
  );
}

/**
 * A transcript as a human reads it in Zoho: one "Visitor: …" / "Bot: …" block per message.
 * A string that holds a JSON transcript array is rendered the same way.
 */
export function renderTranscript(
  transcript: MappableLead['transcript'],
  labels: LeadMapping['transcriptLabels'] = DEFAULT_LEAD_MAPPING.transcriptLabels,
): string | null {
  if (transcript === null || transcript === undefined) return null;
  let messages: unknown = transcript;
  if (typeof transcript === 'string') {
    const text = transcript.replace(/\r\n?/g, '\n').trim();
    if (!text.startsWith('[')) return text === '' ? null : text;
    try {
      messages = JSON.parse(text);
    } catch {
      return text;
    }
    if (!isTranscriptArray(messages)) return text;
  }
  if (!isTranscriptArray(messages)) return null;
  const lines = messages
    .map((m) => ({
      label: m.role === 'user' ? labels.user : labels.bot,
      text: m.content.replace(/\r\n?/g, '\n').trim(),
    }))
    .filter((m) => m.text !== '')
    .map((m) => `${m.label}: ${m.text.replace(/\n/g, '\n  ')}`);
  return lines.length === 0 ? null : lines.join('\n');
}

const TRUNCATION_MARKER = '\n[…truncated]';

/** Contact values as given that Zoho would refuse: left out of their fields, kept in Description. */
type Rejected = { email: string | null; phone: string | null };

function buildDescription(lead: MappableLead, mapping: LeadMapping, rejected: Rejected): string | null {
  const details: string[] = [];
  if (mapping.detailsInDescription) {
    for (const key of EXTRA_KEYS) {
      const value = clean(lead[key]);
      if (value && !mapping.customFields[key]) details.push(`${EXTRA_LABELS[key]}: ${value}`);
    }
  }
  if (rejected.email) details.push(`Email as given (not accepted by Zoho): ${rejected.email}`);
  if (rejected.phone) details.push(`Phone as given (not accepted by Zoho): ${rejected.phone}`);
  const detailBlock = details.length > 0 ? `---\n${details.join('\n')}` : '';

  const body: string[] = [];
  const message = lead.message?.replace(/\r\n?/g, '\n').trim();
  if (message) body.push(message);
  const transcript = renderTranscript(lead.transcript, mapping.transcriptLabels);
  if (transcript) body.push(`Chat transcript:\n${transcript}`);

  // The details block is short and always kept; a long transcript gives way to it.
  const limit = ZOHO_LEAD_FIELD_LIMITS.Description;
  const room = detailBlock ? limit - detailBlock.length - 2 : limit;
  const bodyText = truncate(body.join('\n\n'), Math.max(0, room), TRUNCATION_MARKER);
  const text = [bodyText, detailBlock].filter((part) => part !== '').join('\n\n');
  return text === '' ? null : truncate(text, limit);
}

/**
 * The Zoho Lead record for a stored lead. Keys are Zoho API names; absent values are omitted.
 */
export function toZohoLead(lead: MappableLead, mapping: LeadMapping = DEFAULT_LEAD_MAPPING): Record<string, unknown> {
  const record: Record<string, unknown> = { ...mapping.staticFields };
  const { first, last } = splitName(lead, mapping.lastNameFallback);
  record.Last_Name = truncate(last, ZOHO_LEAD_FIELD_LIMITS.Last_Name);
  if (first) record.First_Name = truncate(first, ZOHO_LEAD_FIELD_LIMITS.First_Name);

  const email = normalizeEmail(lead.email);
  if (email) record.Email = email;
  const phone = normalizePhone(lead.phone);
  if (phone) record.Phone = phone;

  const company = clean(lead.company) ?? mapping.companyFallback;
  if (company) record.Company = truncate(company, ZOHO_LEAD_FIELD_LIMITS.Company);

  const source = mapping.leadSource[lead.source];
  if (source) record.Lead_Source = truncate(source, ZOHO_LEAD_FIELD_LIMITS.Lead_Source);

  const rawEmail = clean(lead.email);
  const rawPhone = clean(lead.phone);
  const description = buildDescription(lead, mapping, {
    email: rawEmail && !email ? rawEmail : null,
    phone: rawPhone && !phone ? rawPhone : null,
  });
  if (description) record.Description = description;

  for (const key of EXTRA_KEYS) {
    const field = mapping.customFields[key];
    const value = clean(lead[key]);
    if (field && value) record[field] = truncate(value, mapping.customFieldMaxLength);
  }
  return record;
}
