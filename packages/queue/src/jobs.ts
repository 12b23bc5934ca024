import { z } from 'zod';

/**
 * Every job leadsync runs, in one place: its queue, its name and its payload schema. Producers
 * build payloads with these schemas and consumers re-validate them, so a job written by an
 * older or newer process is refused loudly instead of half-processed.
 */
export const QUEUES = {
  /** Sync triggers and drains. Paused by BullMQ's rate limit when Zoho answers 429. */
  sync: 'lead-sync',
  /** Token upkeep, kept apart so a Zoho rate limit on the sync queue never delays a refresh. */
  token: 'zoho-token',
  /** One failed job per lead Zoho refused or that ran out of retries: Bull Board's Retry releases it. */
  attention: 'lead-attention',
  /** One failed job per lead intake held as spam, apart so a bot wave never buries the real failures. */
  spam: 'lead-spam',
} as const;

/** What an operator needs to recognise a lead in Bull Board; the job id is the lead id. */
const attentionLeadSchema = z.object({
  leadId: z.uuid(),
  source: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  createdAt: z.string(),
});

export const JOBS = {
  /** "Lead X was stored": claim a batch of due leads (X among them, if still due) and upsert it. */
  syncLead: { queue: QUEUES.sync, name: 'sync-lead', schema: z.object({ leadId: z.uuid() }) },
  /** Sync every due lead in batches until none is left (the daily scheduler, admin, CLI). */
  drain: {
    queue: QUEUES.sync,
    name: 'drain-pending',
    schema: z.object({
      reason: z.enum(['schedule', 'sweep', 'retry', 'admin', 'cli', 'startup']).default('schedule'),
      limit: z.number().int().positive().optional(),
      forceRefresh: z.boolean().optional(),
    }),
  },
  /** A lead that ended `failed`: the job fails with Zoho's code and message; retrying it retries the lead. */
  leadFailed: {
    queue: QUEUES.attention,
    name: 'lead-failed',
    schema: attentionLeadSchema.extend({
      attempts: z.number().int(),
      error: z.object({ code: z.string(), message: z.string() }),
      failedAt: z.string(),
    }),
  },
  /** A lead intake held as spam: the job fails with the spam reasons; retrying it releases the lead. */
  leadSpam: {
    queue: QUEUES.spam,
    name: 'lead-spam',
    schema: attentionLeadSchema.extend({ reasons: z.array(z.string()) }),
  },
  /** Renew the Zoho access token ahead of expiry. */
  refreshToken: {
    queue: QUEUES.token,
    name: 'refresh-token',
    schema: z.object({ force: z.boolean().default(false) }),
  },
} as const;

export type SyncLeadPayload = z.infer<typeof JOBS.syncLead.schema>;
export type DrainPayload = z.infer<typeof JOBS.drain.schema>;
export type LeadFailedPayload = z.infer<typeof JOBS.leadFailed.schema>;
export type LeadSpamPayload = z.infer<typeof JOBS.leadSpam.schema>;
export type RefreshTokenPayload = z.infer<typeof JOBS.refreshToken.schema>;

/** Ids of the job schedulers; upserting the same id again updates it, so there is one per id. */
export const SCHEDULERS = {
  dailyDrain: 'daily-drain',
  /** Immediate mode only: picks up retries that fell due, expired leases and nudges Redis lost. */
  sweep: 'sweep-due',
  tokenRefresh: 'token-refresh',
} as const;
