import type { Logger } from '@leadsync/config';
import type { Db } from '@leadsync/db';
import { standardQueueProbes, thresholdsFromEnv } from '@leadsync/operations';
import type { JobResults, RedisClient, SyncProducer } from '@leadsync/queue';
import { stateKey, type ZohoConnection } from '@leadsync/zoho-client';
import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import type { ApiConfig } from './config.js';
import { captchaSettings, createCaptchaVerifier, redisVerdictMemo } from './intake/captcha.js';
import { requireAdmin } from './middleware/admin-auth.js';
import { errorHandler, notFound } from './middleware/errors.js';
import { intakeRateLimit } from './middleware/rate-limit.js';
import { requestLogging } from './middleware/request-logging.js';
import type { ApiOperations } from './operations.js';
import { adminRoutes } from './routes/admin.js';
import { bullBoardRoutes } from './routes/bull-board.js';
import { embedRoutes } from './routes/embed.js';
import { healthRoutes } from './routes/health.js';
import { healthReportRoutes } from './routes/health-report.js';
import { intakeRoutes } from './routes/intake.js';
import { leadRoutes } from './routes/leads.js';
import { metricsRoutes } from './routes/metrics.js';
import { oauthRoutes } from './routes/oauth.js';
import { openApiRoutes } from './routes/openapi.js';

export interface AppDeps {
  config: ApiConfig;
  db: Db;
  producer: SyncProducer;
  /** Fails fast while Redis is down (no offline queue): see createApiRedis. */
  redis: RedisClient;
  logger: Logger;
  /** Queues and clients only the health report and metrics read. */
  operations: ApiOperations;
  /** Zoho OAuth + token manager for onboarding; null until ZOHO_CLIENT_ID/SECRET are set (see zoho.ts). */
  zoho: ZohoConnection | null;
  /** Waits for a job's outcome (POST /api/admin/sync?wait=true). */
  jobResults: JobResults;
}

/** Middleware route modules share rather than build again. */
export interface SharedMiddleware {
  /** CRON_SECRET as bearer token or basic-auth password: put it in front of every operations route. */
  requireAdmin: RequestHandler;
}

export type RouteModule = (deps: AppDeps, shared: SharedMiddleware) => Router;

/**
 * Everything the API serves, in mount order. A new surface (Bull Board, metrics, OAuth, the
 * health report) is one more entry: a function from the deps to a Router with full paths.
 */
export const routes: RouteModule[] = [
  (deps) => healthRoutes(deps),
  // before intake: its request counters must see every intake request
  ({ db, redis, producer, operations, config }, shared) =>
    metricsRoutes({
      db,
      redis,
      redisPrefix: config.REDIS_PREFIX,
      queues: [producer.queue, operations.tokenQueue, operations.attention.failed, operations.attention.spam],
      requireAdmin: shared.requireAdmin,
    }),
  ({ config, db, producer, redis, logger, operations }) =>
    intakeRoutes({
      db,
      producer,
      attention: operations.attention,
      logger,
      syncMode: config.SYNC_MODE,
      spam: { minFillMs: config.SPAM_MIN_FILL_MS },
      captcha: createCaptchaVerifier(captchaSettings(config), logger, redisVerdictMemo(redis, config.REDIS_PREFIX)),
      corsOrigins: config.CORS_ORIGINS,
      bodyLimit: config.BODY_LIMIT,
      rateLimit: intakeRateLimit({
        redis,
        logger,
        perMinute: config.INTAKE_RATE_LIMIT,
        keyPrefix: config.REDIS_PREFIX,
      }),
    }),
  ({ db }, shared) => leadRoutes({ db, requireAdmin: shared.requireAdmin }),
  ({ db, producer, jobResults, operations, logger }, shared) =>
    adminRoutes({
      db,
      producer,
      jobResults,
      attention: operations.attention,
      logger,
      requireAdmin: shared.requireAdmin,
    }),
  ({ zoho, config, producer, logger }, shared) =>
    oauthRoutes({
      zoho,
      stateKey: stateKey(config.CRON_SECRET),
      redirectUri: config.ZOHO_REDIRECT_URI,
      producer: config.SYNC_MODE === 'immediate' ? producer : undefined,
      logger,
      requireAdmin: shared.requireAdmin,
    }),
  ({ producer, operations, config }) =>
    bullBoardRoutes({
      queues: [producer.queue, operations.attention.failed, operations.attention.spam, operations.tokenQueue],
      adminSecret: config.CRON_SECRET,
      readOnlySecret: config.BULL_BOARD_READ_ONLY_SECRET,
    }),
  () => openApiRoutes(),
  ({ logger }) => embedRoutes({ logger }),
  ({ db, redis, producer, operations, config }, shared) =>
    healthReportRoutes({
      db,
      redis,
      redisPrefix: config.REDIS_PREFIX,
      queues: standardQueueProbes({ sync: producer.queue, token: operations.tokenQueue }),
      thresholds: thresholdsFromEnv(config),
      requireAdmin: shared.requireAdmin,
    }),
];

/** Builds the Express app without listening (server.ts listens; tests listen on port 0). */
export function createApp(deps: AppDeps, modules: RouteModule[] = routes): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.TRUST_PROXY);

  app.use(requestLogging(deps.logger));
  app.use(helmet());

  const shared: SharedMiddleware = { requireAdmin: requireAdmin(deps.config.CRON_SECRET) };
  for (const module of modules) app.use(module(deps, shared));

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
