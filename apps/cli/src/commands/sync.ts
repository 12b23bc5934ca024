import { createJobResults, retryLead } from '@leadsync/queue';
import type { Context } from '../context.js';
import { CliError } from '../errors.js';

/** Longer than the API's wait: nobody else is held up by a terminal. */
export const SYNC_WAIT_MS = 10 * 60_000;

/** `--limit`: absent, or a whole number of leads the drain may claim. */
export function parseLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) {
    throw new CliError('--limit must be a whole number from 1 to 100000');
  }
  return limit;
}

/** The line a finished drain prints; its value is the drain's totals (its first batch job and every follow-up). */
export function drainSummary(jobId: string, value: unknown): string {
  const r = (value ?? {}) as Record<string, unknown>;
  return `Drain job ${jobId}: claimed ${r.claimed ?? 0}, synced ${r.synced ?? 0}, failed ${r.failed ?? 0}, retrying ${r.retrying ?? 0}${r.tokenRefreshed ? ', token refreshed' : ''}.`;
}

/**
 * `sync [--limit N] [--wait]`: a drain, run by the workers as batch jobs (the first one's full
 * batch starts the rest); with --wait, the drain's totals.
 */
export async function sync(ctx: Context, flags: { limit?: string | undefined; wait?: boolean | undefined }) {
  const limit = parseLimit(flags.limit);
  const producer = await ctx.producer();
  const jobId = await producer.enqueueDrain({ reason: 'cli', limit });
  if (!jobId) throw new CliError('the drain job got no id');
  if (!flags.wait) {
    ctx.say(`Drain job ${jobId} queued; a worker runs it (see /admin/queues).`);
    return;
  }
  const results = createJobResults(ctx.config);
  try {
    const outcome = await results.waitForDrain(producer.queue, jobId, SYNC_WAIT_MS);
    if (outcome.state === 'running') {
      throw new CliError(
        `drain job ${jobId} is still running after ${SYNC_WAIT_MS / 60_000} minutes (is a worker running?)`,
      );
    }
    if (outcome.state === 'failed') throw new CliError(`drain job ${jobId} failed: ${outcome.reason}`);
    ctx.say(drainSummary(jobId, outcome.value));
  } finally {
    await results.close();
  }
}

/**
 * `retry-failed`: every failed lead back to pending (its Bull Board attention job gone, as
 * Bull Board's Retry does), then one drain rather than a nudge per lead.
 */
export async function retryFailed(ctx: Context): Promise<void> {
  let retried = 0;
  const queues = await ctx.attention();
  const deps = { leads: ctx.db.leads, queues, startSync: async () => undefined };
  // Each retry takes the lead out of "failed", so every round sees only leads not yet retried.
  for (let round = 0; round < 1000; round++) {
    const ids = await ctx.db.leads.idsByStatus('failed', 500);
    if (ids.length === 0) break;
    for (const id of ids) if ((await retryLead(deps, id)).retried) retried++;
  }
  if (retried === 0) {
    ctx.say('No failed leads.');
    return;
  }
  const jobId = await (await ctx.producer()).enqueueDrain({ reason: 'cli' });
  ctx.say(`${retried} failed ${retried === 1 ? 'lead is' : 'leads are'} pending again; drain job ${jobId} queued.`);
}
