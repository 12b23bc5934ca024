import {
  LEAD_STATUSES,
  type LeadContent,
  type LeadSource,
  type LeadStatus,
  type TranscriptEntry,
} from '@leadsync/lead';
import type { SupabaseClient } from '@supabase/supabase-js';
import { DbUnavailableError, retryRowsAlone, toDbError } from './errors.js';
import { type GroupCommitOptions, groupCommit } from './group-commit.js';
import { run } from './run.js';

// The lead's statuses, sources and fields are @leadsync/lead's; re-exported so db's API stays as it was.
export { LEAD_STATUSES, type LeadSource, type LeadStatus, type TranscriptEntry };

/** A count for every status, 0 where none was found (lead_stats groups only the rows there are). */
export function countByStatus(found: Partial<Record<LeadStatus, number>>): Record<LeadStatus, number> {
  return Object.fromEntries(LEAD_STATUSES.map((status) => [status, found[status] ?? 0])) as Record<LeadStatus, number>;
}

/** The normalised fields intake stores; the same names as the columns. */
export interface LeadFields extends Partial<Omit<LeadContent, 'source'>> {
  session_id?: string | null;
  /** 'spam' holds the lead back from Zoho; default 'pending'. */
  status?: 'pending' | 'spam';
}

/** A row of the leads table: the lead's content and what intake and the sync keep beside it. */
export interface LeadRow extends LeadContent {
  id: string;
  status: LeadStatus;
  session_id: string | null;
  raw_payload: Record<string, unknown>;
  idempotency_key: string | null;
  content_version: number;
  zoho_id: string | null;
  zoho_action: string | null;
  attempts: number;
  last_error_code: string | null;
  last_error_message: string | null;
  /** When the current run of transient sync failures began (null without one): the retry horizon counts from here. */
  first_failed_at: string | null;
  next_attempt_at: string;
  claimed_by: string | null;
  /** The batch run holding the claim (see claim_pending_leads). */
  claim_token: string | null;
  /** That run's BullMQ job id. */
  claim_job: string | null;
  claim_expires_at: string | null;
  created_at: string;
  updated_at: string;
  synced_at: string | null;
}

/**
 * What a claim answers of each lead (claim_pending_leads' `returns table`, migration
 * 20261202140000): what the sync sends (the lead's content), decides with (its Zoho id, content
 * version, attempts, failing-since) and shows (created_at, for an alert) — not raw_payload, the
 * request as it came (a chat's whole transcript again), nor the claim's own bookkeeping.
 */
export type ClaimedLead = Pick<
  LeadRow,
  | keyof LeadContent
  | 'id'
  | 'content_version'
  | 'zoho_id'
  | 'zoho_action'
  | 'attempts'
  | 'first_failed_at'
  | 'created_at'
>;

const ATTENTION_COLUMNS =
  'id,status,source,name,email,phone,attempts,last_error_code,last_error_message,created_at,updated_at' as const;

/** What listByStatus reads of a lead. */
export type AttentionRow = Pick<
  LeadRow,
  | 'id'
  | 'status'
  | 'source'
  | 'name'
  | 'email'
  | 'phone'
  | 'attempts'
  | 'last_error_code'
  | 'last_error_message'
  | 'created_at'
  | 'updated_at'
>;

export type IntakeOutcome = 'created' | 'replayed' | 'updated' | 'key_reused' | 'in_flight';

export interface IntakeInput {
  source: LeadSource;
  fields: LeadFields;
  rawPayload: Record<string, unknown>;
  idempotencyKey?: string | null;
  /** A hash of the request body, so a reused Idempotency-Key with another body is recognised. */
  fingerprint?: string | null;
}

export interface IntakeResult {
  id: string | null;
  status: LeadStatus | null;
  outcome: IntakeOutcome;
}

/** One lead's outcome of a sync batch, as record_sync_results takes it. */
export interface SyncResult {
  id: string;
  /** The content_version the batch sent; a newer one sends the lead again. */
  version: number;
  outcome: 'synced' | 'failed' | 'retry';
  zoho_id?: string | null;
  zoho_action?: string | null;
  error_code?: string | null;
  error_message?: string | null;
  /** For 'retry': not before this time. */
  retry_at?: string | null;
  /**
   * For 'retry': false hands the claim's attempt back (Zoho as a whole was failing, not this
   * lead); the failure is still logged and still starts the lead's run toward the retry horizon.
   */
  counted?: boolean;
}

/**
 * Group-commit tuning for intake (see groupCommit). With one call out at a time,
 * `npm run bench -- intake` on 2 cores gave 1,100-1,440 req/s flat out (four runs) against
 * 970-1,200 with two or four out (five runs), and p99 at a steady 200 req/s of 37-47 ms against
 * 32-48 ms: more throughput, a tail no worse. Fewer calls leave more CPU for the rest of each request.
 * Ten full calls may wait (about 0.4 s of intake at 1,200 req/s); beyond them the database is not
 * keeping up, and a 503 the client retries beats an answer that comes too late.
 */
export const INTAKE_GROUP_COMMIT: GroupCommitOptions = { maxBatch: 50, maxInFlight: 1, maxWaiting: 500 };

const intakeParams = (input: IntakeInput) => ({
  source: input.source,
  fields: input.fields,
  raw_payload: input.rawPayload,
  idempotency_key: input.idempotencyKey ?? null,
  fingerprint: input.fingerprint ?? null,
});

export function leadsRepository(supabase: SupabaseClient, tuning: Partial<GroupCommitOptions> = {}) {
  async function intakeOne(input: IntakeInput): Promise<IntakeResult> {
    const p = intakeParams(input);
    const rows = await run<IntakeResult[]>(
      'store lead',
      supabase.rpc('intake_lead', {
        p_source: p.source,
        p_fields: p.fields,
        p_raw_payload: p.raw_payload,
        p_idempotency_key: p.idempotency_key,
        p_fingerprint: p.fingerprint,
      }),
    );
    const row = rows?.[0];
    if (!row) throw new Error('intake_lead returned no row');
    return row;
  }

  async function intakeMany(inputs: IntakeInput[]): Promise<PromiseSettledResult<IntakeResult>[]> {
    if (inputs.length === 1) return Promise.allSettled([intakeOne(inputs[0] as IntakeInput)]);
    // One lead's error fails the call whole (nothing of it is stored); groupCommit then sends each
    // lead again alone when retryRowsAlone says the error was one lead's, so the others are stored.
    const rows = await run<(IntakeResult & { idx: number })[]>(
      'store leads',
      supabase.rpc('intake_leads', { p_items: inputs.map(intakeParams) }),
    );
    const byIndex = new Map((rows ?? []).map(({ idx, ...result }) => [idx, result]));
    return inputs.map((_, i) => {
      const value = byIndex.get(i);
      return value
        ? { status: 'fulfilled', value }
        : { status: 'rejected', reason: new Error(`intake_leads returned no row for item ${i}`) };
    });
  }

  return {
    /**
     * Stores a lead atomically, honouring Idempotency-Key and chatbot sessions (see intake_lead).
     * Concurrent calls share round trips and transactions (group commit); each gets its own answer.
     * Past `maxWaiting` leads waiting, a lead is refused at once with DbUnavailableError (503).
     */
    intake: groupCommit(
      intakeMany,
      { ...INTAKE_GROUP_COMMIT, ...tuning },
      {
        retryAlone: retryRowsAlone,
        refuse: (waiting) =>
          new DbUnavailableError(`store lead: ${waiting} leads wait for the database already`, 503, undefined),
      },
    ),

    async get(id: string): Promise<LeadRow | null> {
      return run<LeadRow>('read lead', supabase.from('leads').select('*').eq('id', id).maybeSingle());
    },

    /**
     * Claims up to `limit` due leads under a lease (FOR UPDATE SKIP LOCKED), held by `token` (one
     * run of one batch job; `job` is its BullMQ id) until recorded, released or the lease runs out.
     */
    async claimPending(opts: {
      limit: number;
      worker: string;
      leaseSeconds: number;
      token: string;
      job?: string;
    }): Promise<ClaimedLead[]> {
      const rows = await run<ClaimedLead[]>(
        'claim pending leads',
        supabase.rpc('claim_pending_leads', {
          p_limit: opts.limit,
          p_worker: opts.worker,
          p_lease_seconds: opts.leaseSeconds,
          p_token: opts.token,
          p_job: opts.job ?? null,
        }),
      );
      return rows ?? [];
    },

    /** Renews the lease of the leads still held by `token`; answers how many it holds. */
    async extendClaims(opts: { token: string; leaseSeconds: number }): Promise<number> {
      const n = await run<number>(
        'extend claims',
        supabase.rpc('extend_claims', { p_token: opts.token, p_lease_seconds: opts.leaseSeconds }),
      );
      return n ?? 0;
    },

    /**
     * Records a batch's per-lead results and the attempt log in one transaction; only leads still
     * held by `token` are written (`worker` names the worker in the log). Answers how many were.
     */
    async recordResults(opts: {
      token: string;
      worker: string;
      batchId: string;
      results: SyncResult[];
    }): Promise<number> {
      const n = await run<number>(
        'record sync results',
        supabase.rpc('record_sync_results', {
          p_token: opts.token,
          p_worker: opts.worker,
          p_batch_id: opts.batchId,
          p_results: opts.results,
        }),
      );
      return n ?? 0;
    },

    /** Hands back leads held by `token` but not sent (all without `ids`), due again at `notBefore`. */
    async releaseClaims(opts: { token: string; ids?: string[]; notBefore?: Date }): Promise<number> {
      const n = await run<number>(
        'release claims',
        supabase.rpc('release_claims', {
          p_token: opts.token,
          p_ids: opts.ids ?? null,
          p_not_before: opts.notBefore?.toISOString() ?? null,
        }),
      );
      return n ?? 0;
    },

    /** Hands back what earlier (dead) runs of BullMQ job `job` still hold; before its new run claims. */
    async releaseJobClaims(job: string): Promise<number> {
      const n = await run<number>('release job claims', supabase.rpc('release_job_claims', { p_job: job }));
      return n ?? 0;
    },

    /** Puts a failed or spam lead back to pending; null when the lead is not in such a state. */
    async retry(id: string): Promise<{ id: string; status: LeadStatus } | null> {
      const rows = await run<{ id: string; status: LeadStatus }[]>(
        'retry lead',
        supabase.rpc('retry_lead', { p_id: id }),
      );
      return rows?.[0] ?? null;
    },

    /** Leads whose sync is due now (pending and due, or claimed under an expired lease). */
    async countDue(): Promise<number> {
      const now = new Date().toISOString();
      const { count, error, status } = await supabase
        .from('leads')
        .select('id', { count: 'exact', head: true })
        .or(`and(status.eq.pending,next_attempt_at.lte.${now}),and(status.eq.syncing,claim_expires_at.lt.${now})`);
      if (error) throw toDbError(error, status, 'count due leads');
      return count ?? 0;
    },

    async idsByStatus(status: LeadStatus, limit = 1000): Promise<string[]> {
      const rows = await run<{ id: string }[]>(
        'list leads',
        supabase.from('leads').select('id').eq('status', status).order('created_at').limit(limit),
      );
      return (rows ?? []).map((r) => r.id);
    },

    /**
     * Leads of one status with what an operator needs to recognise them, a page at a time: by id
     * after `afterId`, or the newest first. For the attention reconciliation.
     */
    async listByStatus(
      status: LeadStatus,
      opts: { limit: number; afterId?: string; newestFirst?: boolean },
    ): Promise<AttentionRow[]> {
      let query = supabase.from('leads').select(ATTENTION_COLUMNS).eq('status', status);
      if (opts.afterId) query = query.gt('id', opts.afterId);
      query = opts.newestFirst ? query.order('created_at', { ascending: false }) : query.order('id');
      const rows = await run<AttentionRow[]>('list leads by status', query.limit(opts.limit));
      return rows ?? [];
    },

    /** The status of each of `ids` that exists. */
    async statuses(ids: string[]): Promise<Map<string, LeadStatus>> {
      if (ids.length === 0) return new Map();
      const rows = await run<{ id: string; status: LeadStatus }[]>(
        'read lead statuses',
        supabase.from('leads').select('id,status').in('id', ids),
      );
      return new Map((rows ?? []).map((r) => [r.id, r.status]));
    },
  };
}

export type LeadsRepository = ReturnType<typeof leadsRepository>;
