import type { ConnectionOptions } from 'bullmq';
import { type Job, Queue, UnrecoverableError } from './bullmq.js';
import { JOBS, type LeadFailedPayload, type LeadSpamPayload, QUEUES } from './jobs.js';
import type { SyncProducer } from './producer.js';

/**
 * Leads that need a person, as failed jobs operators see and retry in Bull Board (docs/operations.md §1).
 *
 * One job per lead, its id the lead's id, so Bull Board's search by job id finds a lead by its id.
 * A job is added waiting; the attention worker's first run fails it at once with the lead's
 * reason (UnrecoverableError), which puts it in Bull Board's Failed tab. Bull Board's Retry
 * (BullMQ job.retry) runs it again: that run retries the lead and completes with what it did.
 */

/** Spam jobs kept; older ones are removed first (the lead stays `spam` in the database). */
export const SPAM_JOBS_KEPT = 1000;

export const ATTENTION_JOB_OPTIONS = {
  // A real failure is kept until someone handles it: no retention may lose it. No stack trace:
  // Bull Board then shows the reason alone, not our code's frames.
  failed: { removeOnComplete: { age: 7 * 24 * 3600, count: 1000 }, removeOnFail: false, stackTraceLimit: 0 },
  spam: {
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { count: SPAM_JOBS_KEPT },
    stackTraceLimit: 0,
  },
} as const;

export type AttentionKind = keyof typeof ATTENTION_JOB_OPTIONS;

/** The fields of a lead row the jobs carry (a structural subset of @leadsync/db's LeadRow). */
export interface AttentionLead {
  id: string;
  source: string;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  attempts?: number;
  created_at?: string;
}

export function leadFailedPayload(
  lead: AttentionLead,
  error: { code: string; message: string },
  now: Date = new Date(),
): LeadFailedPayload {
  return JOBS.leadFailed.schema.parse({
    leadId: lead.id,
    source: lead.source,
    name: lead.name ?? null,
    email: lead.email ?? null,
    phone: lead.phone ?? null,
    createdAt: lead.created_at ?? now.toISOString(),
    attempts: lead.attempts ?? 0,
    error: { code: error.code, message: error.message },
    failedAt: now.toISOString(),
  });
}

export function leadSpamPayload(lead: AttentionLead, reasons: string[], now: Date = new Date()): LeadSpamPayload {
  return JOBS.leadSpam.schema.parse({
    leadId: lead.id,
    source: lead.source,
    name: lead.name ?? null,
    email: lead.email ?? null,
    phone: lead.phone ?? null,
    createdAt: lead.created_at ?? now.toISOString(),
    reasons,
  });
}

/** The job's failure reason as Bull Board shows it: Zoho's code and message, or the spam reasons. */
export function attentionReason(job: Pick<Job, 'name' | 'data'>): string {
  if (job.name === JOBS.leadSpam.name) {
    const { reasons } = JOBS.leadSpam.schema.parse(job.data);
    return `held as spam: ${reasons.length ? reasons.join(', ') : 'no reason recorded'}`;
  }
  const { error } = JOBS.leadFailed.schema.parse(job.data);
  return `${error.code}: ${error.message}`;
}

export interface AttentionQueues {
  failed: Queue;
  spam: Queue;
  close(): Promise<void>;
}

/** Both queues, for producers (API, worker, CLI) and Bull Board. */
export function createAttentionQueues(connection: ConnectionOptions, prefix: string): AttentionQueues {
  const failed = new Queue(QUEUES.attention, { connection, prefix });
  const spam = new Queue(QUEUES.spam, { connection, prefix });
  for (const q of [failed, spam]) q.on('error', () => {}); // the process's Redis client logs outages
  return {
    failed,
    spam,
    async close() {
      await Promise.all([failed.close(), spam.close()]);
    },
  };
}

/**
 * Adds the lead's job, unless it has one still to handle (then its data is brought up to date):
 * at most one per lead. A completed job is from an earlier round of the same lead (retried, and
 * now failed again): it is removed so the fresh one can take the lead's id.
 */
export async function raiseAttention<K extends AttentionKind>(
  queues: Pick<AttentionQueues, K>,
  kind: K,
  payload: LeadFailedPayload | LeadSpamPayload,
  opts: { update?: boolean } = {},
): Promise<'added' | 'kept'> {
  const queue: Queue = queues[kind];
  const existing = await queue.getJob(payload.leadId);
  if (existing) {
    const state = await existing.getState();
    if (state !== 'completed' && state !== 'unknown') {
      if (state === 'failed' && opts.update !== false) await existing.updateData(payload);
      return 'kept';
    }
    if (state === 'completed') await existing.remove();
  }
  const job = kind === 'failed' ? JOBS.leadFailed : JOBS.leadSpam;
  await queue.add(job.name, payload, { jobId: payload.leadId, ...ATTENTION_JOB_OPTIONS[kind] });
  return 'added';
}

/**
 * Takes the lead's jobs out of both queues (a lead retried by any path no longer needs a person).
 * A job being run right now is locked and stays; that run completes it.
 */
export async function clearAttention(queues: Pick<AttentionQueues, AttentionKind>, leadId: string): Promise<number> {
  const removed = await Promise.all([queues.failed.remove(leadId), queues.spam.remove(leadId)]);
  return removed.filter((n) => n === 1).length;
}

/**
 * Starts a sync for one lead. The one place that knows how: the sync engine's triggers change
 * name and shape, callers of this do not.
 */
export function startSyncFor(producer: Pick<SyncProducer, 'enqueueDrain'>, _leadId: string): Promise<unknown> {
  // An operator's retry: an admin batch job, which runs in daily mode too (an intake nudge would not).
  return producer.enqueueDrain({ reason: 'admin' });
}

export interface RetryLeadDeps {
  leads: { retry(id: string): Promise<{ id: string; status: string } | null> };
  queues: Pick<AttentionQueues, AttentionKind>;
  startSync(leadId: string): Promise<unknown>;
  /** Told when Redis did not take a step; the lead is pending in the database regardless. */
  onRedisError?(step: 'clear' | 'sync', err: Error): void;
}

export type RetryLeadOutcome = { retried: true; attentionCleared: number; syncStarted: boolean } | { retried: false };

/**
 * A failed or spam lead back to pending, its attention jobs gone, a sync started: the one path
 * of the API's retry route, the CLI and Bull Board's Retry. `retried: false` when the lead was
 * not failed or spam (unknown, or synced or retried already).
 */
export async function retryLead(deps: RetryLeadDeps, id: string): Promise<RetryLeadOutcome> {
  const retried = await deps.leads.retry(id);
  if (!retried) return { retried: false };
  // The database is the truth from here; Redis steps that fail are repaired later (the sweep or
  // drain syncs the pending lead, the worker's reconciliation removes a job left behind).
  const attentionCleared = await clearAttention(deps.queues, id).catch((err: Error) => {
    deps.onRedisError?.('clear', err);
    return 0;
  });
  const syncStarted = await deps.startSync(id).then(
    () => true,
    (err: Error) => {
      deps.onRedisError?.('sync', err);
      return false;
    },
  );
  return { retried: true, attentionCleared, syncStarted };
}

/** What a retried attention job returns, for Bull Board's Return value tab. */
export interface AttentionRetryResult {
  leadId: string;
  action: 'released to pending; sync started' | 'released to pending; the sweep or drain syncs it' | 'nothing to do';
  note?: string;
}

/**
 * The attention worker's processor. First run: fail with the lead's reason (that is how the job
 * reaches Failed). A later run is Bull Board's Retry (attemptsMade counts finished runs; a
 * stalled first run does not count): retry the lead and complete.
 */
export function attentionProcessor(retry: (leadId: string) => Promise<RetryLeadOutcome>) {
  return async (job: Job): Promise<AttentionRetryResult> => {
    if (job.attemptsMade === 0) throw new UnrecoverableError(attentionReason(job));
    const { leadId } = (job.name === JOBS.leadSpam.name ? JOBS.leadSpam : JOBS.leadFailed).schema.parse(job.data);
    const outcome = await retry(leadId);
    if (!outcome.retried) {
      return {
        leadId,
        action: 'nothing to do',
        note: 'the lead is not failed or spam any more (another path handled it)',
      };
    }
    return {
      leadId,
      action: outcome.syncStarted
        ? 'released to pending; sync started'
        : 'released to pending; the sweep or drain syncs it',
    };
  };
}
