export {
  type ActiveAlert,
  type AlertAction,
  type AlertCondition,
  type AlertState,
  alertText,
  planAlerts,
} from './alert-plan.js';
export { type AlertStore, memoryAlertStore, redisAlertStore } from './alert-store.js';
export { type Alerter, type AlerterOptions, createAlerter, type FailedLead } from './alerts.js';
export { type CheckResult, type HealthFacts, type TokenHealth, tokenHealth } from './facts.js';
export {
  collectFacts,
  collectHealth,
  type HealthReport,
  type HealthSources,
  JOB_STATES,
  type QueueProbe,
  standardQueueProbes,
  withRecommendations,
} from './health.js';
export {
  BATCH_SIZE_BUCKETS,
  type BatchCounts,
  type ClusterMetricsSources,
  createSyncMetricsRecorder,
  metricsKey,
  registerClusterMetrics,
  type SyncMetricsRecorder,
} from './metrics.js';
export {
  type ConcurrencyRecord,
  type CreditPauseReason,
  type CreditsRecord,
  type PauseReason,
  type PauseRecord,
  pressureFacts,
  pressureKeys,
  readZohoPressure,
  type ZohoPressureFacts,
} from './pressure.js';
export {
  alertingConditions,
  DEFAULT_THRESHOLDS,
  type HealthThresholds,
  pendingMaxAgeFor,
  type Recommendation,
  recommendationsFor,
  type Severity,
  thresholdsFromEnv,
  worstSeverity,
} from './recommendations.js';
