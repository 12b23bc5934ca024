export { connectionOptions, failFastConnectionOptions, type QueueConnectionConfig } from './connection.js';
export { createJobResults, type JobOutcome, type JobResults } from './job-results.js';
export {
  type BatchResult,
  batchResultSchema,
  JOBS,
  QUEUES,
  type RefreshTokenPayload,
  SCHEDULERS,
  SYNC_DEDUP,
  SYNC_REASONS,
  type SyncBatchPayload,
  type SyncReason,
  sumBatchResults,
  syncJobModeSchema,
} from './jobs.js';
export { createSyncProducer, DEFAULT_BATCH_WINDOW_MS, JOB_RETENTION, type SyncProducer } from './producer.js';
export { applySyncConcurrency } from './sync-concurrency.js';
