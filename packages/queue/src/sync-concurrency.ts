import type { Queue } from 'bullmq';

/**
 * The one place the cluster-wide cap on Zoho calls is set: BullMQ's global concurrency of the
 * sync queue, which every worker process obeys (at most `n` batch jobs active across all of
 * them, one Zoho call each at a time). SYNC_CONCURRENCY at start; the 429 controller lowers and
 * restores it at run time through here.
 */
export async function applySyncConcurrency(queue: Queue, n: number): Promise<void> {
  await queue.setGlobalConcurrency(Math.max(1, Math.floor(n)));
}
