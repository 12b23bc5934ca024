/**
 * Pure decisions of the batch-job engine: whether a job runs in this worker's mode, and which
 * batch jobs a full batch starts after it.
 */
import { SYNC_DEDUP, type SyncBatchPayload, type SyncReason } from '@leadsync/queue';

export type SyncMode = 'immediate' | 'daily';

/** Drains that are followed as a whole (the "sync now" wait sums them; one chain each, own job ids). */
const FOLLOWED: ReadonlySet<SyncReason> = new Set(['admin', 'cli', 'daily']);

/**
 * Daily mode means only the scheduled drain (and what an operator asks for) syncs. Jobs that
 * immediate mode leaves behind (intake windows, sweeps, their follow-ups and retry wake-ups,
 * queued before the switch) would otherwise drain the moment a daily-mode worker starts: such a
 * job completes doing nothing, and says why. Follow-ups and retry wake-ups carry the mode of the
 * worker that added them, so a daily drain's own continue.
 */
export function skipInMode(mode: SyncMode, data: Pick<SyncBatchPayload, 'reason' | 'mode'>): string | null {
  if (mode === 'immediate') return null;
  if (data.reason === 'daily' || data.reason === 'admin' || data.reason === 'cli') return null;
  if ((data.reason === 'follow-up' || data.reason === 'retry') && data.mode === 'daily') return null;
  return `daily mode: a "${data.reason}" job left by immediate mode; only the daily drain (SYNC_CRON) or "sync now" syncs`;
}

/** A batch job to add: its payload and the BullMQ options that make it bounded and deduplicated. */
export interface PlannedJob {
  data: SyncBatchPayload;
  opts: { jobId?: string; deduplication?: { id: string; keepLastIfActive: true } };
}

export interface FollowUpInput {
  /** The payload of the job that just claimed. */
  data: SyncBatchPayload;
  /** The BullMQ id of that job. */
  jobId: string;
  mode: SyncMode;
  /** Leads it asked for and leads it got: fewer means nothing more is due. */
  asked: number;
  claimed: number;
  batchSize: number;
  /** SYNC_CONCURRENCY: chains a drain runs side by side. */
  concurrency: number;
  /**
   * Leads still due after this claim (counted only by a drain's first job, which decides how
   * many chains to start); undefined for a follow-up, which continues its own chain only.
   */
  dueAfter?: number;
  /** BullMQ's run count of the job (attemptsStarted): a re-run's follow-ups get ids of their own. */
  attempt?: number;
}

/** BullMQ job ids may not contain ':' (scheduler job ids do). */
const idSafe = (id: string) => id.replace(/:/g, '_');

/**
 * The batch jobs that follow a full batch. The first job of a drain starts
 * min(concurrency, ceil(due / batch)) chains; each chain's job continues only its own chain, so
 * a drain keeps at most that many batch jobs busy, each followed by at most one, until a batch
 * comes back short. With a `limit`, what is left of it is split between the chains.
 *
 * Drains an operator (or the daily schedule) started get job ids of their own, so their totals
 * can be followed. The others (intake, sweep, retry, startup) share one deduplication id per
 * chain across the cluster: however many of them overlap, chain k holds at most one running and
 * one next job.
 */
export function planFollowUps(input: FollowUpInput): PlannedJob[] {
  const { data, asked, claimed, batchSize } = input;
  if (claimed < asked || claimed === 0) return [];
  const left = data.limit === undefined ? Number.POSITIVE_INFINITY : data.limit - claimed;
  if (left <= 0) return [];
  const isFollowUp = data.reason === 'follow-up';
  const origin: SyncReason = isFollowUp ? (data.origin ?? 'admin') : data.reason;
  let chains: number[];
  if (isFollowUp) {
    chains = [data.chain ?? 0];
  } else {
    const due = Math.min(input.dueAfter ?? batchSize, left);
    if (due <= 0) return [];
    const n = Math.max(1, Math.min(input.concurrency, Math.ceil(due / batchSize)));
    chains = Array.from({ length: n }, (_, k) => k);
  }
  const share = (k: number) =>
    left === Number.POSITIVE_INFINITY
      ? undefined
      : Math.floor(left / chains.length) + (k < left % chains.length ? 1 : 0);
  const followed = FOLLOWED.has(origin);
  const drain = data.drain ?? idSafe(input.jobId);
  const due = data.due ?? (input.dueAfter !== undefined ? input.dueAfter + claimed : undefined);
  const seq = (data.seq ?? 0) + 1;
  return chains.flatMap((chain, k): PlannedJob[] => {
    const limit = share(k);
    if (limit === 0) return [];
    const payload: SyncBatchPayload = {
      reason: 'follow-up',
      origin,
      mode: input.mode,
      ...(limit !== undefined && { limit }),
      ...(followed && { drain, chain, seq }),
      ...(followed && due !== undefined && { due }),
    };
    // a re-run (after a pause or a dead worker) may find its first run's follow-ups long finished
    const rerun = (input.attempt ?? 1) > 1 ? `-r${input.attempt}` : '';
    if (followed) return [{ data: payload, opts: { jobId: `${drain}-c${chain}-${seq}${rerun}` } }];
    return [
      {
        data: { ...payload, chain },
        opts: { deduplication: { id: SYNC_DEDUP.chain(chain), keepLastIfActive: true } },
      },
    ];
  });
}

/**
 * The drain a job belongs to when it is followed as a whole (admin, CLI, daily): its id, which
 * is the first job's id; null for the shared chains of intake, sweeps and retries.
 */
export function drainOf(data: Pick<SyncBatchPayload, 'reason' | 'drain'>, jobId: string): string | null {
  if (data.drain !== undefined) return data.drain;
  return FOLLOWED.has(data.reason) ? idSafe(jobId) : null;
}

/**
 * Bull Board's progress bar for a followed drain (0–100): leads its batch jobs have handled so
 * far against those due when it began. Leads arriving meanwhile can carry it past its start's
 * count, so it stops at 100; a drain whose first batch was short was one job, done.
 */
export function drainPercent(done: number, due: number | undefined): number {
  if (due === undefined || due <= 0) return 100;
  return Math.min(100, Math.floor((done * 100) / due));
}
