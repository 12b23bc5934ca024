import { JOBS } from '@leadsync/queue';
import type { Job } from 'bullmq';
import { drainDue } from '../sync/drain.js';
import type { BatchOutcome } from '../sync/sync-batch.js';
import type { SyncJobContext } from './context.js';

/**
 * The drain: every due lead, in parallel batches, until none is left — the daily scheduler
 * (whatever SYNC_MODE), the sweep, retry wake-ups, and admin/CLI "sync now".
 */
export async function processDrain(ctx: SyncJobContext, job: Job): Promise<BatchOutcome & { tokenRefreshed: boolean }> {
  const payload = JOBS.drain.schema.parse(job.data);
  let tokenRefreshed = false;
  if (payload.forceRefresh) {
    await ctx.tokens.forceRefresh();
    tokenRefreshed = true;
  }
  const outcome = await drainDue(ctx.sync, {
    parallel: ctx.parallelBatches,
    limit: payload.limit,
    signal: ctx.signal,
  });
  await ctx.scheduleRetryWakeUp(outcome.nextRetryAt);
  return { ...outcome, tokenRefreshed };
}
