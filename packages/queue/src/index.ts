export {
  ATTENTION_JOB_OPTIONS,
  type AttentionKind,
  type AttentionLead,
  type AttentionQueues,
  type AttentionRetryResult,
  attentionProcessor,
  attentionReason,
  clearAttention,
  createAttentionQueues,
  leadFailedPayload,
  leadSpamPayload,
  type RetryLeadDeps,
  type RetryLeadOutcome,
  raiseAttention,
  retryLead,
  SPAM_JOBS_KEPT,
  startSyncFor,
} from './attention.js';
export { connectionOptions, failFastConnectionOptions, type QueueConnectionConfig } from './connection.js';
export { createJobResults, type JobOutcome, type JobResults } from './job-results.js';
export {
  type DrainPayload,
  JOBS,
  type LeadFailedPayload,
  type LeadSpamPayload,
  QUEUES,
  type RefreshTokenPayload,
  SCHEDULERS,
  type SyncLeadPayload,
} from './jobs.js';
export { createSyncProducer, DEFAULT_BATCH_WINDOW_MS, JOB_RETENTION, type SyncProducer } from './producer.js';
