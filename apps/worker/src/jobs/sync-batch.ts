import { randomUUID } from 'node:crypto';
import type { ClaimedLead } from '@leadsync/db';
import { type BatchResult, JOBS } from '@leadsync/queue';
import { RetryLaterError } from '@leadsync/zoho-client';
import type { Job } from 'bullmq';
import { isOutage } from '../sync/outage.js';
import { drainOf, drainPercent, planFollowUps, skipInMode } from '../sync/plan-jobs.js';
import {
  type BatchOutcome,
  type CallReport,
  emptyOutcome,
  type LeadReport,
  SyncPausedError,
  syncBatch,
} from '../sync/sync-batch.js';
import { CreditPauseError } from '../sync/zoho-pressure.js';
import type { SyncJobContext } from './context.js';

/** A batch job's return value: the counts the "sync now" wait sums, and per lead what happened. */
export interface BatchJobResult extends BatchResult {
  zohoCalls: CallReport[];
  leads: LeadReport[];
  nextRetryAt: string | null;
}

/** What Bull Board's Data tab shows of a claimed lead: enough to find it, no more. */
export function carriedLead(lead: ClaimedLead): {
  id: string;
  source: string;
  contact: string | null;
  attempt: number;
} {
  return { id: lead.id, source: lead.source, contact: lead.email ?? lead.phone ?? null, attempt: lead.attempts };
}

const result = (outcome: BatchOutcome, extra: Partial<BatchJobResult>): BatchJobResult => ({
  claimed: outcome.claimed,
  synced: outcome.synced,
  failed: outcome.failed,
  retrying: outcome.retrying,
  released: outcome.released,
  tokenRefreshed: false,
  followUps: [],
  zohoCalls: outcome.calls,
  leads: outcome.leads,
  nextRetryAt: outcome.nextRetryAt?.toISOString() ?? null,
  ...extra,
});

/**
 * One batch job (`sync-batch`, whatever started it): claim up to a batch of due leads under a
 * token of this run, show them in the job's data, make sure the next batch jobs follow when the
 * batch is full, send, record — and keep the claim's lease alive meanwhile, so a slow Zoho call
 * never lets another worker take (and send) the same leads.
 */
export async function processSyncBatch(ctx: SyncJobContext, job: Job): Promise<BatchJobResult> {
  const data = JOBS.syncBatch.schema.parse(job.data);
  const { db, settings } = ctx.sync;
  const jobId = job.id as string;
  const skipped = skipInMode(ctx.mode, data);
  if (skipped) {
    await job.log(skipped);
    return result(emptyOutcome(), { skipped });
  }
  let tokenRefreshed = false;
  if (data.forceRefresh) {
    await ctx.tokens.forceRefresh();
    tokenRefreshed = true;
    await job.log('Zoho access token refreshed first, as asked');
  }
  // BullMQ runs a job again when its worker died (the stalled-job check) or Zoho paused it: what
  // an earlier run still holds is dead, so it comes back before this run claims.
  if (job.attemptsStarted > 1 || job.stalledCounter > 0) {
    const back = await db.leads.releaseJobClaims(jobId);
    if (back > 0) await job.log(`handed back ${back} leads an earlier run of this job had claimed`);
  }

  // credits used up or at the reserve: claim nothing (the runtime rate-limits the queue until then)
  const gate = await ctx.admitZoho?.();
  if (gate?.kind === 'wait') {
    throw new SyncPausedError(new CreditPauseError(gate.reason, gate.until, null), gate.until);
  }
  const admission = (await ctx.sync.outage?.admit()) ?? { kind: 'run' };
  if (admission.kind === 'wait') {
    throw new SyncPausedError(
      new RetryLaterError('ZOHO_OUTAGE', 'Zoho was failing every call; waiting for the next probe'),
      admission.until,
    );
  }
  const probe = admission.kind === 'probe';

  const asked = Math.min(settings.batchSize, data.limit ?? settings.batchSize);
  const token = randomUUID();
  let followUps: string[] = [];
  let due = data.due;
  const startFollowUps = async (claimed: number) => {
    const dueAfter = data.reason === 'follow-up' || claimed < asked ? undefined : await ctx.countDue();
    if (dueAfter !== undefined) due = dueAfter + claimed;
    const planned = planFollowUps({
      data,
      jobId,
      mode: ctx.mode,
      asked,
      claimed,
      batchSize: settings.batchSize,
      concurrency: ctx.concurrency,
      attempt: job.attemptsStarted,
      ...(dueAfter !== undefined && { dueAfter }),
    });
    if (planned.length === 0) return;
    const ids = await ctx.addJobs(planned);
    // only a followed drain's own jobs are summed by the wait; shared chains belong to no one drain
    followUps = planned.flatMap((p, i) => (p.opts.jobId ? [ids[i] ?? p.opts.jobId] : []));
    await job.log(`full batch: ${planned.length} follow-up batch job(s) started`);
  };

  const renewEveryMs = Math.max(1000, (settings.leaseSeconds * 1000) / 3);
  const renewal = setInterval(() => {
    db.leads.extendClaims({ token, leaseSeconds: settings.leaseSeconds }).catch((err: Error) => {
      ctx.sync.logger.warn({ err: err.message, jobId }, 'could not renew the lease of a batch in flight');
    });
  }, renewEveryMs);
  let outcome: BatchOutcome;
  try {
    outcome = await syncBatch(ctx.sync, {
      limit: asked,
      token,
      job: jobId,
      onClaimed: async (leads) => {
        await Promise.all([
          job.updateData({ ...data, leads: leads.map(carriedLead) } as never),
          job.log(`claimed ${leads.length} due leads (asked for ${asked})`),
          // a probe goes alone: only its success lets the drain widen again
          probe ? undefined : startFollowUps(leads.length),
        ]);
      },
    });
  } catch (err) {
    // a probe that met the outage again has re-opened the breaker (syncBatch tripped it)
    if (probe && !(err instanceof SyncPausedError && isOutage(err.zohoError))) await ctx.sync.outage?.probed(false);
    throw err;
  } finally {
    clearInterval(renewal);
  }
  if (probe) {
    await ctx.sync.outage?.probed(outcome.zohoCalls > 0);
    if (outcome.zohoCalls > 0) await startFollowUps(outcome.claimed);
  }

  const ms = outcome.calls.map((c) => `${c.kind} ${c.records} in ${c.ms} ms (${c.code ?? c.outcome})`).join(', ');
  const drain = drainOf(data, jobId);
  await Promise.all([
    drain && reportDrainProgress(ctx, job, drain, outcome.claimed, due),
    ctx.scheduleRetryWakeUp(outcome.nextRetryAt),
    job.log(
      outcome.claimed === 0
        ? 'nothing due'
        : `synced ${outcome.synced}, retrying ${outcome.retrying}, failed ${outcome.failed}, released ${outcome.released}; Zoho: ${ms}`,
    ),
  ]);
  return result(outcome, { tokenRefreshed, followUps });
}

/** A long drain's progress (Bull Board's bar on each of its batch jobs, and a log line saying of what). */
async function reportDrainProgress(
  ctx: SyncJobContext,
  job: Job,
  drain: string,
  claimed: number,
  due: number | undefined,
): Promise<void> {
  const done = await ctx.countDrained(drain, claimed);
  if (done === null) return;
  const percent = drainPercent(done, due);
  await Promise.all([
    job.updateProgress(percent),
    job.log(`drain ${drain}: ${done} leads handled of ${due ?? done} due when it began (${percent}%)`),
  ]);
}
