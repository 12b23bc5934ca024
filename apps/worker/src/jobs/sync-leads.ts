import { JOBS } from '@leadsync/queue';
import type { Job } from 'bullmq';
import { drainDue } from '../sync/drain.js';
import type { BatchOutcome } from '../sync/sync-batch.js';
import type { SyncJobContext } from './context.js';

/**
 * A "lead stored" nudge (one per batch window, see packages/queue's enqueueSync): sync what is due
 * now, batch after batch. Whether its own lead is still among them does not matter — another
 * batch may have sent it already, and then this job is a no-op.
 */
export async function processSyncLead(ctx: SyncJobContext, job: Job): Promise<BatchOutcome> {
  JOBS.syncLead.schema.parse(job.data);
  const outcome = await drainDue(ctx.sync, { parallel: 1, signal: ctx.signal });
  await ctx.scheduleRetryWakeUp(outcome.nextRetryAt);
  return outcome;
}
