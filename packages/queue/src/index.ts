export {
  type BullmqRole,
  type ClientOptions,
  clusterOptions,
  connectionOptions,
  createRedisClient,
  createRedisConnections,
  isCluster,
  type QueueConnectionConfig,
  queueRedisSettings,
  type RedisClient,
  type RedisConnections,
  type RedisNode,
  type RedisSettings,
  serverOptions,
} from './connection.js';
export { createJobResults, type JobOutcome, type JobResults } from './job-results.js';
export { type DrainPayload, JOBS, QUEUES, type RefreshTokenPayload, SCHEDULERS, type SyncLeadPayload } from './jobs.js';
export { createSyncProducer, DEFAULT_BATCH_WINDOW_MS, JOB_RETENTION, type SyncProducer } from './producer.js';
