import type { ClaimedLead, Db } from '@leadsync/db';
import {
  alertingConditions,
  collectHealth,
  createAlerter,
  createSyncMetricsRecorder,
  standardQueueProbes,
  thresholdsFromEnv,
} from '@leadsync/operations';
import type { RedisConnections } from '@leadsync/queue';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { WorkerConfig } from './config.js';
import type { SyncDeps } from './sync/sync-batch.js';

export interface WorkerOperations {
  /** Metrics and alerts of the sync path. */
  syncHooks: Required<Pick<SyncDeps, 'onLeadFailed' | 'onZohoCall' | 'onBatch'>>;
  /** One health check now (the timer calls it; tests may too). Returns whether this process took the turn. */
  checkHealth(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Metrics, alerts and the periodic health check of one worker process.
 *
 * The check runs on a timer in every worker, not as a BullMQ job: a job cannot run while Redis is
 * down, and "Redis unreachable" is one of the things it must report. While Redis answers, a turn
 * key lets one worker per interval do the check; while it does not, each worker checks and
 * alerts on its own (the alerter then keeps its state in memory).
 */
export function startWorkerOperations(deps: {
  config: WorkerConfig;
  db: Db;
  queues: { sync: Queue; token: Queue };
  logger: Logger;
  workerId: string;
  /** The process's connections (runtime.ts): this quits its own client on close. */
  redis: RedisConnections;
}): WorkerOperations {
  const { config, db, queues, logger, workerId } = deps;
  const prefix = config.REDIS_PREFIX;
  // Its own client: commands give up quickly instead of waiting out an outage like BullMQ's do.
  const redis = deps.redis.client({ maxRetriesPerRequest: 1, commandTimeout: 2000 });
  redis.on('error', () => {}); // the worker's main client already logs outages
  const metrics = createSyncMetricsRecorder(redis, prefix);
  const alerter = createAlerter({ redis, prefix, webhookUrl: config.ALERT_WEBHOOK_URL, logger });
  const thresholds = thresholdsFromEnv(config);
  const everyMs = config.HEALTH_CHECK_EVERY_MS;

  const takeTurn = async (): Promise<boolean> => {
    try {
      // expires a little before the next tick, so the turn passes on even if this worker dies
      const turnMs = Math.max(1, Math.floor(everyMs * 0.9));
      return (await redis.set(`${prefix}:ops:check-turn`, workerId, 'PX', turnMs, 'NX')) === 'OK';
    } catch {
      return true;
    }
  };

  let running: Promise<boolean> | null = null;
  const checkHealth = (): Promise<boolean> => {
    running ??= (async () => {
      try {
        if (everyMs > 0 && !(await takeTurn())) return false;
        const report = await collectHealth({
          db,
          queues: standardQueueProbes(queues),
          redisPing: () => redis.ping(),
          zohoPressure: { redis, prefix },
          thresholds,
        });
        await alerter.update(alertingConditions(report.recommendations));
        return true;
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'health check failed');
        return true;
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const timer = everyMs > 0 ? setInterval(() => void checkHealth(), everyMs) : undefined;
  timer?.unref();

  return {
    syncHooks: {
      onLeadFailed: (lead: ClaimedLead, error) => alerter.leadFailed({ id: lead.id, source: lead.source }, error),
      onZohoCall: (call) => metrics.zohoCall('leads.upsert', call.outcome, call.code),
      onBatch: (outcome) => metrics.batch(outcome),
    },
    checkHealth,
    async close() {
      clearInterval(timer);
      await running;
      await alerter.flush();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
