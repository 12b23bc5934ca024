import { Queue } from 'bullmq';
import { createRedisConnections, type QueueConnectionConfig, queueRedisSettings } from './connection.js';
import { type DrainPayload, JOBS, QUEUES } from './jobs.js';

export const DEFAULT_BATCH_WINDOW_MS = 1000;

/** Keep enough history to look at in Bull Board, not enough to fill Redis. */
export const JOB_RETENTION = {
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
} as const;

export interface SyncProducer {
  queue: Queue;
  /** Nudge the worker about a stored lead. Throws when Redis cannot take it (the lead stays pending). */
  enqueueSync(leadId: string): Promise<string | undefined>;
  enqueueDrain(payload?: Partial<DrainPayload>): Promise<string | undefined>;
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
  // The window's job, as this process added it: leads in the same window share it without a
  // Redis round trip (the deduplication below still joins other API replicas to it). Only while
  // the connection that added it holds: a Redis that went away may come back without the job.
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
    enqueueSync(leadId) {
      const data = JOBS.syncLead.schema.parse({ leadId });
      const now = Date.now();
      if (window && now < window.until && client?.status === 'ready') return window.jobId;
      // Micro-batching: the first lead of a window schedules one job at the window's end and the
      // leads after it join that job (deduplicated), so a burst costs one Zoho call per 100 leads
      // while a lone lead still reaches Zoho within about a window.
      const jobId = queue
        .add(JOBS.syncLead.name, data, {
          delay: windowMs,
          deduplication: { id: 'sync-window', ttl: Math.max(1, windowMs) },
        })
        .then((job) => job.id);
      const current = { until: now + windowMs, jobId };
      window = current;
      // a nudge that failed must not stand for the leads after it
      jobId.catch(() => {
        if (window === current) window = undefined;
      });
      return jobId;
    },
    async enqueueDrain(payload = {}) {
      const data = JOBS.drain.schema.parse({ reason: 'admin', ...payload });
      const job = await queue.add(JOBS.drain.name, data);
      return job.id;
    },
    close: () => queue.close().finally(() => redis.close()),
  };
}
