import type { Queue } from 'bullmq';

/**
 * The one place the sync's cluster-wide concurrency is set: BullMQ's global concurrency of the
 * sync queue (jobs active at once across every worker process, kept in Redis and shown by Bull
 * Board). The Zoho pressure control lowers and raises it at run time through this function.
 */
export async function applySyncConcurrency(queue: Pick<Queue, 'setGlobalConcurrency'>, n: number): Promise<void> {
  await queue.setGlobalConcurrency(Math.max(1, Math.floor(n)));
}
