import { type LeadSource, ZOHO_LEAD_FIELD_LIMITS as ZOHO } from '@leadsync/lead';
import { z } from 'zod';
import { email, isBlank, multiLine, multiLineOrEmpty, phone, singleLine, singleLineOrNumber } from './fields.js';

/**
 * What each intake source accepts (docs/contract.md §3). Limits, in UTF-16 units, the Zoho ones
 * taken from @leadsync/lead's ZOHO_LEAD_FIELD_LIMITS:
 *
 * | field | max | why |
 * | --- | --- | --- |
 * | first_name / last_name | 40 / 80 | Zoho's First_Name / Last_Name |
 * | name | 120 | both of those together |
 * | email | 100 | Zoho's Email; an address cannot be truncated |
 * | phone | 30 stored (40 typed) | Zoho's Phone, after separators are stripped |
 * | company | 200 | Zoho's Company |
 * | message | 10,000 | leaves room in Zoho's 32,000-character Description |
 * | service, utm_* | 200 | labels, not prose |
 * | budget | 100 | |
 * | page_url | 2,048 | the practical URL limit of browsers and CDNs |
 * | session_id | 200 | an opaque chat id |
 * | transcript | 25,000 in all; 500 entries of ≤ 5,000 | rendered with role labels it still fits a Description |
 *
 * Unknown keys are dropped here and survive only in the stored raw payload; nothing a client
 * sends can set a lead's status or id.
 */
export const LIMITS = {
  name: ZOHO.First_Name + ZOHO.Last_Name,
  firstName: ZOHO.First_Name,
  lastName: ZOHO.Last_Name,
  company: ZOHO.Company,
  message: 10_000,
  label: 200,
  budget: 100,
  pageUrl: 2048,
  sessionId: 200,
  transcriptTotal: 25_000,
  transcriptEntries: 500,
  transcriptEntry: 5000,
} as const;

const contact = {
  name: singleLine(LIMITS.name),
  first_name: singleLine(LIMITS.firstName),
  last_name: singleLine(LIMITS.lastName),
  email,
  phone,
  company: singleLine(LIMITS.company),
  message: multiLine(LIMITS.message),
};

const tracking = {
  page_url: singleLine(LIMITS.pageUrl),
  utm_source: singleLine(LIMITS.label),
  utm_medium: singleLine(LIMITS.label),
  utm_campaign: singleLine(LIMITS.label),
};

// The cross-field rules read whatever the object holds, including fields that failed (a number
// where a name should be): they go through isBlank, which takes any value.
type Refinable = { email?: unknown; phone?: unknown };

// `when` makes the cross-field rules run even when a field failed, so a visitor sees every
// problem at once; a field that is present but invalid already has its own issue. Not for a
// non-object, though: that already has its issue, and has no fields to read.
const ALWAYS = {
  when: (payload: { value: unknown }) =>
    typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value),
} as const;

function requireContact(value: Refinable, ctx: z.RefinementCtx) {
  if (isBlank(value.email) && isBlank(value.phone)) {
    ctx.addIssue({ code: 'custom', path: ['email'], message: 'an email address or a phone number is required' });
  }
}

const transcriptEntry = z.object({
  role: z.enum(['user', 'bot'], { error: "must be 'user' or 'bot'" }),
  // Both keys are required: an entry without content is malformed (422 naming it), while a bubble
  // whose content is null or blank (a card, an image) carries nothing for the CRM and is dropped below.
  content: multiLineOrEmpty(LIMITS.transcriptEntry),
});

const TRANSCRIPT_TOTAL = `must be at most ${LIMITS.transcriptTotal} characters in all`;

/**
 * The chat as entries. The total is checked after the pipe into the transform, which zod runs
 * only on entries that all passed, so the sum never meets an entry without its content.
 */
const transcriptEntries = z
  .array(transcriptEntry, { error: 'must be text or a list of {role, content}' })
  .max(LIMITS.transcriptEntries, `must have at most ${LIMITS.transcriptEntries} entries`)
  .transform((entries) => entries.filter((e) => e.content !== ''))
  .refine((kept) => kept.reduce((n, e) => n + e.content.length, 0) <= LIMITS.transcriptTotal, TRANSCRIPT_TOTAL)
  .transform((kept) => (kept.length > 0 ? kept : undefined));

/** A string (what an HTML form can post) or the chat as entries; empty means absent. */
export const transcript = z.union([multiLine(LIMITS.transcriptTotal), transcriptEntries], {
  error: 'must be text or a list of {role, content}',
});

export const quoteFormSchema = z
  .object({
    ...contact,
    service: singleLine(LIMITS.label),
    budget: singleLineOrNumber(LIMITS.budget),
    ...tracking,
  })
  .superRefine((value, ctx) => {
    requireContact(value, ctx);
    if (!isBlank(value.name)) return;
    if (isBlank(value.first_name) && isBlank(value.last_name)) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'a name (or first_name and last_name) is required' });
    } else if (isBlank(value.first_name)) {
      ctx.addIssue({ code: 'custom', path: ['first_name'], message: 'is required with last_name (or give name)' });
    } else if (isBlank(value.last_name)) {
      ctx.addIssue({ code: 'custom', path: ['last_name'], message: 'is required with first_name (or give name)' });
    }
  }, ALWAYS);

/** A chatbot may not know the visitor's name yet; the sync derives Zoho's mandatory Last_Name. */
export const chatbotSchema = z
  .object({
    ...contact,
    transcript: transcript.optional(),
    session_id: singleLine(LIMITS.sessionId),
    ...tracking,
  })
  .superRefine(requireContact, ALWAYS);

export type QuoteFormFields = z.infer<typeof quoteFormSchema>;
export type ChatbotFields = z.infer<typeof chatbotSchema>;

export const intakeSchemas = {
  quote_form: quoteFormSchema,
  chatbot: chatbotSchema,
} as const satisfies Record<LeadSource, z.ZodType>;
