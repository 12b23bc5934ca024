import { z } from 'zod';

/**
 * Every job leadsync runs, in one place: its queue, its name and its payload schema. Producers
 * build payloads with these schemas and consumers re-validate them, so a job written by an
 * older or newer process is refused loudly instead of half-processed.
 */
export const QUEUES = {
  /**
   * Batch jobs: each one claims, sends and records one batch of due leads. Its global
   * concurrency (SYNC_CONCURRENCY) is the cluster's cap on Zoho calls in flight; paused by
   * BullMQ's rate limit when Zoho cannot take calls.
   */
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

/** Why a batch job ran; shown in Bull Board's Data tab. */
export const SYNC_REASONS = ['intake', 'sweep', 'retry', 'daily', 'admin', 'cli', 'startup', 'follow-up'] as const;
export type SyncReason = (typeof SYNC_REASONS)[number];

/** The sync mode of the process that added a job, for the jobs whose meaning depends on it. */
export const syncJobModeSchema = z.enum(['immediate', 'daily']);

export const JOBS = {
  /**
   * One batch: claim up to SYNC_BATCH_SIZE due leads at start, send them, record every result in
   * one transaction. A full batch makes sure further batch jobs follow (`follow-up`, naming the
   * reason of the drain it continues in `origin`) until nothing is due.
   */
  syncBatch: {
    queue: QUEUES.sync,
    name: 'sync-batch',
    schema: z.object({
      reason: z.enum(SYNC_REASONS).default('admin'),
      /** For a follow-up: the reason of the job that started the drain. */
      origin: z.enum(SYNC_REASONS).optional(),
      /** Set by workers on the jobs they add (follow-ups, retry wake-ups): daily mode runs only its own. */
      mode: syncJobModeSchema.optional(),
      /** Leads this job and its follow-ups may still claim together (admin/CLI `limit`). */
      limit: z.number().int().positive().optional(),
      forceRefresh: z.boolean().optional(),
      /**
       * Present on drains that are followed as a whole (admin, CLI, daily): the prefix of their
       * follow-ups' job ids, and the chain (0…SYNC_CONCURRENCY-1) a follow-up continues.
       */
      drain: z.string().optional(),
      chain: z.number().int().nonnegative().optional(),
      seq: z.number().int().nonnegative().optional(),
      /** Leads due when that drain began (its progress in Bull Board is measured against it). */
      due: z.number().int().nonnegative().optional(),
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

export type SyncBatchPayload = z.infer<typeof JOBS.syncBatch.schema>;
export type LeadFailedPayload = z.infer<typeof JOBS.leadFailed.schema>;
export type LeadSpamPayload = z.infer<typeof JOBS.leadSpam.schema>;
export type RefreshTokenPayload = z.infer<typeof JOBS.refreshToken.schema>;

/**
 * What a batch job returns (Bull Board's Return value), read back by the admin/CLI "sync now"
 * wait. `followUps` are the ids of the batch jobs it started that belong to the same drain.
 */
export const batchResultSchema = z.object({
  claimed: z.number().default(0),
  synced: z.number().default(0),
  failed: z.number().default(0),
  retrying: z.number().default(0),
  released: z.number().default(0),
  tokenRefreshed: z.boolean().default(false),
  followUps: z.array(z.string()).default([]),
  /** Set when the job did nothing on purpose (daily mode met an immediate-mode job). */
  skipped: z.string().optional(),
});
export type BatchResult = z.infer<typeof batchResultSchema>;

/** The totals of a drain: its first job and every follow-up of it. */
export function sumBatchResults(values: unknown[]): Omit<BatchResult, 'followUps' | 'skipped'> & { jobs: number } {
  const total = { claimed: 0, synced: 0, failed: 0, retrying: 0, released: 0, tokenRefreshed: false, jobs: 0 };
  for (const value of values) {
    const r = batchResultSchema.safeParse(value ?? {});
    if (!r.success) continue;
    total.claimed += r.data.claimed;
    total.synced += r.data.synced;
    total.failed += r.data.failed;
    total.retrying += r.data.retrying;
    total.released += r.data.released;
    total.tokenRefreshed ||= r.data.tokenRefreshed;
    total.jobs += 1;
  }
  return total;
}

/** Ids of the job schedulers; upserting the same id again updates it, so there is one per id. */
export const SCHEDULERS = {
  dailyDrain: 'daily-drain',
  /** Immediate mode only: picks up retries that fell due, expired leases and nudges Redis lost. */
  sweep: 'sweep-due',
  tokenRefresh: 'token-refresh',
} as const;

/**
 * Deduplication ids of the batch jobs that many processes may ask for at once. With BullMQ's
 * `keepLastIfActive`, a request that finds the job with that id still waiting joins it (it has not
 * claimed yet, so it will see the new leads), and one that finds it running keeps exactly one next
 * job, created when the running one finishes: never more than two jobs per id, never a lost request.
 */
export const SYNC_DEDUP = {
  /** The intake batch window, shared by every API replica. */
  intake: 'sync-intake-window',
  /** Chain `k` of a drain that is not followed as a whole (intake, sweep, retry, startup). */
  chain: (k: number) => `sync-chain-${k}`,
} as const;
