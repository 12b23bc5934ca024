import { randomUUID } from 'node:crypto';
import { Queue } from './bullmq.js';
import { createRedisConnections, type QueueConnectionConfig, queueRedisSettings } from './connection.js';
import { JOBS, QUEUES, SYNC_DEDUP, type SyncBatchPayload } from './jobs.js';

export const DEFAULT_BATCH_WINDOW_MS = 1000;

/** Keep enough history to look at in Bull Board, not enough to fill Redis. */
export const JOB_RETENTION = {
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
} as const;

export interface SyncProducer {
  queue: Queue;
  /**
   * Nudge the worker about a stored lead: a batch job within about one batch window. Throws when
   * Redis cannot take it (the lead stays pending for the sweep).
   */
  enqueueSync(leadId: string): Promise<string | undefined>;
  /** "Sync now" (admin, CLI, a fresh Zoho connection): a batch job that starts a drain; its id. */
  enqueueDrain(payload?: Partial<SyncBatchPayload>): Promise<string | undefined>;
  close(): Promise<void>;
}

/**
 * The API's side of the sync queue. The connection does not queue commands while Redis is down
 * (enableOfflineQueue: false), so intake learns at once that the nudge failed instead of hanging.
 */
export function createSyncProducer(config: QueueConnectionConfig & { batchWindowMs?: number }): SyncProducer {
  const windowMs = config.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS;
  const redis = createRedisConnections(queueRedisSettings(config));
  const queue = new Queue(QUEUES.sync, {
    prefix: config.prefix,
    connection: redis.bullmq('fail-fast'),
    defaultJobOptions: JOB_RETENTION,
  });
  // Without a listener an unreachable Redis would crash the process with an unhandled 'error'.
  queue.on('error', () => {});
  // The window job this process CREATED, while it is surely still delayed: leads stored until
  // then share it without a Redis round trip. Only the first half of the window, so the job's
  // claim (at the window's end, by the worker's clock) comes after them even with some clock
  // skew between hosts; and only while the connection that added it holds (a Redis that went
  // away may come back without the job).
  let window: { until: number; jobId: Promise<string | undefined> } | undefined;
  let client: { status: string } | undefined;
  queue.backend.client.then(
    (c) => {
      client = c;
    },
    () => {},
  );
  return {
    queue,
    enqueueSync(_leadId) {
      const now = Date.now();
      if (window && now < window.until && client?.status === 'ready') return window.jobId;
      // Micro-batching: the first lead of a window schedules one batch job at the window's end;
      // the leads after it, on any replica, join it while it waits (keepLastIfActive: once it
      // has started, they get the one job that follows it), so a burst costs one Zoho call per
      // 100 leads and a lone lead still reaches Zoho within about a window.
      const ours = `intake-${now}-${randomUUID().slice(0, 8)}`;
      const added = queue
        .add(JOBS.syncBatch.name, JOBS.syncBatch.schema.parse({ reason: 'intake', mode: 'immediate' }), {
          jobId: ours,
          delay: windowMs,
          deduplication: { id: SYNC_DEDUP.intake, keepLastIfActive: true },
        })
        .then((job) => job.id);
      const current = { until: now + windowMs / 2, jobId: added };
      // a nudge that failed, or joined a job this process did not create, stands for no one else
      added.then(
        (id) => {
          if (id === ours) window = current;
        },
        () => {
          if (window === current) window = undefined;
        },
      );
      return added;
    },
    async enqueueDrain(payload = {}) {
      const data = JOBS.syncBatch.schema.parse({ reason: 'admin', ...payload });
      const job = await queue.add(JOBS.syncBatch.name, data, { jobId: `drain-${randomUUID()}` });
      return job.id;
    },
    close: () => queue.close().finally(() => redis.close()),
  };
}
