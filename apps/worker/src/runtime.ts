import { hostname } from 'node:os';
import type { Db, LeadRow } from '@leadsync/db';
import { createRedisConnections, JOB_RETENTION, JOBS, QUEUES } from '@leadsync/queue';
import { ConcurrencyLimitError, WaitUntilError } from '@leadsync/zoho-client';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { startAttention, type WorkerAttention } from './attention.js';
import { creditReserve, type WorkerConfig } from './config.js';
import type { SyncJobContext } from './jobs/context.js';
import { processDrain } from './jobs/daily-drain.js';
import { processRefreshToken } from './jobs/refresh-token.js';
import { processSyncLead } from './jobs/sync-leads.js';
import { startWorkerOperations, type WorkerOperations } from './operations.js';
import { upsertSchedulers } from './schedulers.js';
import { applySyncConcurrency } from './sync/concurrency.js';
import { isOutage } from './sync/outage.js';
import { createOutageBreaker } from './sync/outage-breaker.js';
import { EMPTY_OUTCOME, SyncPausedError } from './sync/sync-batch.js';
import { throttleSettings } from './sync/throttle.js';
import { createZohoPressure } from './sync/zoho-pressure.js';
import type { WorkerZoho } from './zoho.js';

export interface WorkerDeps {
  config: WorkerConfig;
  db: Db;
  zoho: WorkerZoho;
  logger: Logger;
  onLeadFailed?: (lead: LeadRow, error: { code: string; message: string }) => void;
}

export interface RunningWorker {
  workerId: string;
  queues: { sync: Queue; token: Queue };
  operations: WorkerOperations;
  /** The lead-attention and lead-spam queues (failed and spam leads as failed jobs). */
  attention: WorkerAttention;
  /** Finishes the batches in flight, hands back unsent claims, closes every connection. */
  close(): Promise<void>;
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
  const shutdown = new AbortController();
  const operations = startWorkerOperations({ config, db, queues, logger, workerId, redis });
  const attention = startAttention({ config, db, logger, connection });
  if (config.SYNC_MAX_ATTEMPTS !== undefined) {
    logger.warn('SYNC_MAX_ATTEMPTS is ignored: transient failures are retried for SYNC_RETRY_HORIZON instead');
  }
  // Its own client: the breaker's commands give up quickly while Redis is down (it then falls
  // back to what this process saw last) instead of waiting out the outage as BullMQ's do.
  const breakerRedis = redis.client({ maxRetriesPerRequest: 1, commandTimeout: 2000 });
  breakerRedis.on('error', () => {}); // BullMQ's clients already log Redis outages

  // --- Zoho pressure (429 by cause, credits, reserve, AIMD; docs/zoho-crm.md §8) ---
  if (config.ZOHO_RATE_LIMIT_WAIT_MS !== undefined) {
    logger.warn('ZOHO_RATE_LIMIT_WAIT_MS is ignored: a 429 is handled by its cause (see ZOHO_CREDITS_PROBE_EVERY)');
  }
  const zohoSlots = pLimit(config.SYNC_CONCURRENCY);
  const pressure = createZohoPressure({
    redis: breakerRedis, // gives up quickly while Redis is down, like the breaker's
    prefix,
    settings: throttleSettings({ ...config, reserve: creditReserve(config) }),
    logger,
    limiter: zohoSlots,
    apply: async (n) => {
      zohoSlots.concurrency = n;
      await applySyncConcurrency(queues.sync, n);
    },
    released: async () => (await queues.sync.getRateLimitTtl()) <= 0,
    onPause: (pause) => {
      // Bull Board shows the queue rate-limited from now, even if no job meets the pause
      void queues.sync.rateLimit(Math.max(1, pause.until - Date.now())).catch(() => {});
      void operations.checkHealth(); // the alert goes out now, not at the next tick
    },
  });
  zoho.observeCredits?.(pressure.credits);
  // --- end Zoho pressure ---

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
      zohoSlots: pressure.run, // Zoho pressure: admits, limits and classifies every call
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
    // twice the Zoho slots, so claiming and recording overlap the calls in flight
    parallelBatches: config.SYNC_CONCURRENCY * 2,
    signal: shutdown.signal,
    async scheduleRetryWakeUp(at) {
      if (!at) return;
      const second = Math.ceil(at.getTime() / 1000);
      // one wake-up per second of due time, however many batches ask for it
      await queues.sync.add(JOBS.drain.name, JOBS.drain.schema.parse({ reason: 'retry' }), {
        delay: Math.max(0, second * 1000 - Date.now()),
        jobId: `retry-wakeup-${second}`,
      });
    },
  };

  const syncWorker = new Worker(
    QUEUES.sync,
    async (job: Job) => {
      try {
        if (job.name === JOBS.syncLead.name) return await processSyncLead(ctx, job);
        if (job.name === JOBS.drain.name) return await processDrain(ctx, job);
        throw new UnrecoverableError(`unknown job ${job.name}`);
      } catch (err) {
        if (err instanceof SyncPausedError && err.zohoError instanceof ConcurrencyLimitError) {
          // Zoho pressure: a concurrency 429 pauses nothing. The batch's leads were handed back
          // uncounted until resumeAt (the pressure control's backoff); a wake-up drains them then.
          await ctx.scheduleRetryWakeUp(err.resumeAt);
          return { ...EMPTY_OUTCOME, nextRetryAt: err.resumeAt };
        }
        if (err instanceof SyncPausedError && (err.zohoError instanceof WaitUntilError || isOutage(err.zohoError))) {
          // Zoho's credits used up or at the reserve (a WaitUntilError: CreditsExhaustedError,
          // CreditPauseError), or the outage breaker is open: pause the whole queue until the reset (or
          // the next probe); the job comes back without using up an attempt and finds its leads
          // due again then.
          const waitMs = Math.max(1, err.resumeAt.getTime() - Date.now());
          logger.warn({ waitMs, code: err.zohoError.code }, 'Zoho cannot take calls now; sync queue paused');
          await queues.sync.rateLimit(waitMs);
          throw Worker.RateLimitError();
        }
        if (err instanceof SyncPausedError) {
          logger.error({ code: err.zohoError.code, resumeAt: err.resumeAt }, err.message);
          throw new UnrecoverableError(err.message);
        }
        throw err;
      }
    },
    {
      connection,
      prefix,
      concurrency: config.SYNC_CONCURRENCY,
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
      shutdown.abort();
      await Promise.all([syncWorker.close(), tokenWorker.close()]);
      await operations.close();
      await attention.close();
      const released = await db.leads.releaseClaims({ worker: workerId }).catch((err: Error) => {
        logger.warn({ err: err.message }, 'could not hand back claims; their lease will expire');
        return 0;
      });
      await Promise.all([queues.sync.close(), queues.token.close()]);
      await redis.close();
      logger.info({ workerId, released }, 'worker stopped');
    },
  };
}
