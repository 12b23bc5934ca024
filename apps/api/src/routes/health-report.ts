import type { Db } from '@leadsync/db';
import { collectHealth, type HealthThresholds, type QueueProbe } from '@leadsync/operations';
import { type RequestHandler, Router } from 'express';
import type { Redis } from 'ioredis';

export const HEALTH_REPORT_PATH = '/api/health';

export interface HealthReportDeps {
  db: Pick<Db, 'stats' | 'tokens'>;
  redis: Pick<Redis, 'ping' | 'mget'>;
  /** Where the workers keep Zoho's credits, concurrency and pauses. */
  redisPrefix: string;
  queues: QueueProbe[];
  thresholds: HealthThresholds;
  requireAdmin: RequestHandler;
}

/**
 * GET /api/health: the operator's view (token, leads, queues, schedulers, Zoho's credits, concurrency and pauses) and what to do about it.
 * Always 200 when it could be produced: `status` and `recommendations` say how things are, and
 * a load balancer asks /readyz instead.
 */
export function healthReportRoutes(deps: HealthReportDeps): Router {
  const router = Router();
  router.get(HEALTH_REPORT_PATH, deps.requireAdmin, async (_req, res) => {
    const report = await collectHealth({
      db: deps.db,
      queues: deps.queues,
      redisPing: () => deps.redis.ping(),
      zohoPressure: { redis: deps.redis, prefix: deps.redisPrefix },
      thresholds: deps.thresholds,
    });
    res.set('Cache-Control', 'no-store').json(report);
  });
  return router;
}
