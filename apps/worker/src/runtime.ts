import { hostname } from 'node:os';
import type { ClaimedLead, Db } from '@leadsync/db';
import {
  applySyncConcurrency,
  createRedisConnections,
  JOB_RETENTION,
  JOBS,
  QUEUES,
  type SyncBatchPayload,
} from '@leadsync/queue';
import { ConcurrencyLimitError } from '@leadsync/zoho-client';
import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { startAttention, type WorkerAttention } from './attention.js';
import { creditReserve, type WorkerConfig } from './config.js';
import type { SyncJobContext } from './jobs/context.js';
import { processRefreshToken } from './jobs/refresh-token.js';
import { processSyncBatch } from './jobs/sync-batch.js';
import { startWorkerOperations, type WorkerOperations } from './operations.js';
import { upsertSchedulers } from './schedulers.js';
import { createOutageBreaker } from './sync/outage-breaker.js';
import { SyncPausedError } from './sync/sync-batch.js';
import { throttleSettings } from './sync/throttle.js';
import { createZohoPressure } from './sync/zoho-pressure.js';
import type { WorkerZoho } from './zoho.js';

export interface WorkerDeps {
  config: WorkerConfig;
  db: Db;
  zoho: WorkerZoho;
  logger: Logger;
  onLeadFailed?: (lead: ClaimedLead, error: { code: string; message: string }) => void;
}

export interface RunningWorker {
  workerId: string;
  queues: { sync: Queue; token: Queue };
  operations: WorkerOperations;
  /** The lead-attention and lead-spam queues (failed and spam leads as failed jobs). */
  attention: WorkerAttention;
  /** Lets the batches in flight finish (each sends and records all it claimed), closes every connection. */
  close(): Promise<void>;
}

/**
 * BullMQ's stalled-job check: a job whose worker stopped renewing its lock (kill -9, a lost
 * host) goes back to the queue after at most lockDuration + stalledInterval, and its re-run
 * first hands back what the dead run held (release_job_claims). With SYNC_LEASE_SECONDS (30 s
 * by default, renewed while the job runs) this brings a killed worker's leads back in about 30 s.
 */
export const SYNC_JOB_LOCK_MS = 20_000;
/** A drain's progress count outlives any drain (the daily one runs once a day) and then goes. */
const DRAIN_COUNT_TTL_SECONDS = 2 * 24 * 3600;
export const SYNC_STALLED_CHECK_MS = 10_000;

/** A job queued by the engine before batch jobs, as the batch job that does what it meant. */
export function legacyPayload(name: string, data: unknown): SyncBatchPayload {
  const old = (data ?? {}) as { reason?: string; limit?: number; forceRefresh?: boolean };
  if (name === 'sync-lead') return { reason: 'intake', mode: 'immediate' };
  const reason = old.reason === 'schedule' || old.reason === undefined ? 'daily' : old.reason;
  const parsed = JOBS.syncBatch.schema.safeParse({ ...old, reason });
  // sweeps and retry wake-ups of those days came from immediate mode
  if (!parsed.success) return { reason: 'sweep', mode: 'immediate' };
  return reason === 'sweep' || reason === 'retry' ? { ...parsed.data, mode: 'immediate' } : parsed.data;
}

export async function startWorker(deps: WorkerDeps): Promise<RunningWorker> {
  const { config, db, zoho, logger } = deps;
  const workerId = config.WORKER_ID ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 6)}`;
  const redis = createRedisConnections(config);
  const connection = redis.bullmq('worker');
  const prefix = config.REDIS_PREFIX;
  const queues = {
    sync: new Queue(QUEUES.sync, { connection, prefix, defaultJobOptions: JOB_RETENTION }),
    token: new Queue(QUEUES.token, { connection, prefix, defaultJobOptions: JOB_RETENTION }),
  };
  const operations = startWorkerOperations({ config, db, queues, logger, workerId, redis });
  const attention = startAttention({ config, db, logger, connection });
  if (config.SYNC_MAX_ATTEMPTS !== undefined) {
    logger.warn('SYNC_MAX_ATTEMPTS is ignored: transient failures are retried for SYNC_RETRY_HORIZON instead');
  }
  // Its own client: the breaker's commands give up quickly while Redis is down (it then falls
  // back to what this process saw last) instead of waiting out the outage as BullMQ's do.
  const breakerRedis = redis.client({ maxRetriesPerRequest: 1, commandTimeout: 2000 });
  breakerRedis.on('error', () => {}); // BullMQ's clients already log Redis outages

  // Zoho pressure: 429 by its cause, credits and the reserve, the cluster's concurrency (AIMD)
  // through applySyncConcurrency (docs/zoho-crm.md §8.3).
  if (config.ZOHO_RATE_LIMIT_WAIT_MS !== undefined) {
    logger.warn('ZOHO_RATE_LIMIT_WAIT_MS is ignored: a 429 is handled by its cause (see ZOHO_CREDITS_PROBE_EVERY)');
  }
  const pressure = createZohoPressure({
    redis: breakerRedis, // gives up quickly while Redis is down, like the breaker's
    prefix,
    settings: throttleSettings({ ...config, reserve: creditReserve(config) }),
    logger,
    apply: (n) => applySyncConcurrency(queues.sync, n),
    released: async () => (await queues.sync.getRateLimitTtl()) <= 0,
    onPause: (pause) => {
      // Bull Board shows the queue rate-limited from now, even if no job meets the pause
      void queues.sync.rateLimit(Math.max(1, pause.until - Date.now())).catch(() => {});
      void operations.checkHealth(); // the alert goes out now, not at the next tick
    },
  });
  zoho.observeCredits?.(pressure.credits);

  const ctx: SyncJobContext = {
    sync: {
      db,
      zoho: zoho.leads,
      logger,
      ...operations.syncHooks,
      onLeadFailed: (lead, error) => {
        operations.syncHooks.onLeadFailed(lead, error);
        attention.leadFailed(lead, error);
        deps.onLeadFailed?.(lead, error);
      },
      aroundZohoCall: pressure.run, // admits, classifies 429s, records successes
      outage: createOutageBreaker({
        redis: breakerRedis,
        prefix,
        backoff: { baseMs: config.SYNC_BACKOFF_BASE_MS, maxMs: config.SYNC_BACKOFF_MAX_MS },
        probeTurnMs: config.SYNC_LEASE_SECONDS * 1000,
        logger,
      }),
      settings: {
        workerId,
        batchSize: config.SYNC_BATCH_SIZE,
        leaseSeconds: config.SYNC_LEASE_SECONDS,
        retryHorizonMs: config.SYNC_RETRY_HORIZON,
        backoffBaseMs: config.SYNC_BACKOFF_BASE_MS,
        backoffMaxMs: config.SYNC_BACKOFF_MAX_MS,
        operatorWaitMs: config.SYNC_OPERATOR_WAIT_MS,
      },
    },
    tokens: zoho.tokens,
    admitZoho: pressure.admit,
    mode: config.SYNC_MODE,
    concurrency: config.SYNC_CONCURRENCY,
    countDue: () => db.leads.countDue(),
    async countDrained(drain, leads) {
      const key = `${prefix}:drain:${drain}`;
      const answers = await breakerRedis
        .pipeline()
        .incrby(key, leads)
        .expire(key, DRAIN_COUNT_TTL_SECONDS)
        .exec()
        .catch(() => null);
      const done = answers?.[0]?.[1];
      return typeof done === 'number' ? done : null;
    },
    async addJobs(planned) {
      const jobs = await queues.sync.addBulk(
        planned.map((p) => ({ name: JOBS.syncBatch.name, data: p.data, opts: { ...JOB_RETENTION, ...p.opts } })),
      );
      return jobs.map((j) => j.id as string);
    },
    async scheduleRetryWakeUp(at) {
      if (!at) return;
      const second = Math.ceil(at.getTime() / 1000);
      // one wake-up per second of due time, however many batches ask for it
      await queues.sync.add(
        JOBS.syncBatch.name,
        JOBS.syncBatch.schema.parse({ reason: 'retry', mode: config.SYNC_MODE }),
        { delay: Math.max(0, second * 1000 - Date.now()), jobId: `retry-wakeup-${second}` },
      );
    },
  };

  // The cluster-wide cap on Zoho calls: at most SYNC_CONCURRENCY batch jobs active across all
  // workers. The pressure control's admit() applies it, as lowered by recent 429s (a worker that
  // starts must not undo that); during a credit pause one call at a time probes once it ends.
  // Applied here whatever admit() decided: it only applies changes, and a fresh queue has no cap.
  const gate = await pressure.admit();
  await applySyncConcurrency(queues.sync, gate.kind === 'run' ? gate.concurrency : 1);

  const syncWorker = new Worker(
    QUEUES.sync,
    async (job: Job, token?: string) => {
      try {
        if (job.name === JOBS.syncBatch.name) return await processSyncBatch(ctx, job);
        // a job of the engine before batch jobs (sync-lead, drain-pending): one batch does what it meant
        if (job.name === 'sync-lead' || job.name === 'drain-pending') {
          await job.updateData(legacyPayload(job.name, job.data));
          return await processSyncBatch(ctx, job);
        }
        throw new UnrecoverableError(`unknown job ${job.name}`);
      } catch (err) {
        if (err instanceof SyncPausedError && err.zohoError instanceof ConcurrencyLimitError) {
          // A concurrency 429 pauses nothing: the batch's leads were handed back uncounted, the
          // pressure control lowered the cluster's concurrency, and this batch job goes again
          // after its short backoff with jitter (resumeAt).
          await job.moveToDelayed(err.resumeAt.getTime(), token);
          throw new DelayedError();
        }
        if (err instanceof SyncPausedError) {
          // Every other pause is the whole queue's (what Bull Board shows as rate-limited, with
          // the time left): Zoho's credits used up or at the reserve (CreditsExhaustedError,
          // CreditPauseError), the outage breaker open, or a person needed (a revoked grant:
          // ReAuthorizeError; a configuration Zoho refuses: FixConfigError), re-checked every
          // SYNC_OPERATOR_WAIT_MS. The job comes back without using up an attempt, and finds its
          // leads (handed back uncounted) due again then: no failed job per batch window.
          const waitMs = Math.max(1, err.resumeAt.getTime() - Date.now());
          logger.warn({ waitMs, code: err.zohoError.code }, 'Zoho cannot take calls now; sync queue paused');
          await queues.sync.rateLimit(waitMs);
          throw Worker.RateLimitError();
        }
        throw err;
      }
    },
    {
      connection,
      prefix,
      // Local slots up to the cluster's cap; the queue's global concurrency is what binds.
      concurrency: config.SYNC_CONCURRENCY,
      lockDuration: SYNC_JOB_LOCK_MS,
      stalledInterval: SYNC_STALLED_CHECK_MS,
      maxStalledCount: 2,
      // BullMQ applies a manual rateLimit() only to a worker that has a limiter; this one never binds.
      limiter: { max: 10_000, duration: 1000 },
    },
  );
  const tokenWorker = new Worker(
    QUEUES.token,
    (job: Job) => processRefreshToken(zoho.tokens, config.TOKEN_REFRESH_AHEAD_MS, job),
    { connection, prefix, concurrency: 1 },
  );
  for (const w of [syncWorker, tokenWorker]) {
    w.on('failed', (job, err) => logger.warn({ job: job?.name, jobId: job?.id, err: err.message }, 'job failed'));
    w.on('error', (err) => logger.error({ err: err.message }, 'worker error'));
  }

  await upsertSchedulers(queues, config);
  logger.info({ workerId, mode: config.SYNC_MODE, concurrency: config.SYNC_CONCURRENCY }, 'worker started');

  return {
    workerId,
    queues,
    operations,
    attention,
    async close() {
      // waits for the batch jobs in flight: each sends what it claimed and records it
      await Promise.all([syncWorker.close(), tokenWorker.close()]);
      await operations.close();
      await attention.close();
      await Promise.all([queues.sync.close(), queues.token.close()]);
      await redis.close();
      logger.info({ workerId }, 'worker stopped');
    },
  };
}
