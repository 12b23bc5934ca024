import { Queue } from 'bullmq';
import { connectionOptions, type QueueConnectionConfig } from './connection.js';
import { JOBS, QUEUES } from './jobs.js';

/** Keep enough history to look at in Bull Board, not enough to fill Redis. */
export const JOB_RETENTION = {
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
} as const;

export interface SyncProducer {
  queue: Queue;
  /** Nudge the worker about a stored lead. Throws when Redis cannot take it (the lead stays pending). */
  enqueueSync(leadId: string): Promise<string | undefined>;
  enqueueDrain(payload?: {
    reason?: 'admin' | 'cli' | 'schedule' | 'startup';
    limit?: number;
    forceRefresh?: boolean;
  }): Promise<string | undefined>;
  close(): Promise<void>;
}

/**
 * The API's side of the sync queue. The connection does not queue commands while Redis is down
 * (enableOfflineQueue: false), so intake learns at once that the nudge failed instead of hanging.
 */
export function createSyncProducer(config: QueueConnectionConfig): SyncProducer {
  const queue = new Queue(QUEUES.sync, {
    prefix: config.prefix,
    connection: connectionOptions(config.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
    }),
    defaultJobOptions: JOB_RETENTION,
  });
  // Without a listener an unreachable Redis would crash the process with an unhandled 'error'.
  queue.on('error', () => {});
  return {
    queue,
    async enqueueSync(leadId) {
      const data = JOBS.syncLead.schema.parse({ leadId });
      const job = await queue.add(JOBS.syncLead.name, data);
      return job.id;
    },
    async enqueueDrain(payload = {}) {
      const data = JOBS.drain.schema.parse({ reason: 'admin', ...payload });
      const job = await queue.add(JOBS.drain.name, data);
      return job.id;
    },
    close: () => queue.close(),
  };
}
