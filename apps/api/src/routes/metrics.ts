import type { Db } from '@leadsync/db';
import { registerClusterMetrics } from '@leadsync/operations';
import type { Queue } from 'bullmq';
import { type RequestHandler, Router } from 'express';
import type { Redis } from 'ioredis';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { INTAKE_PATHS } from './intake.js';

export interface MetricsDeps {
  db: Pick<Db, 'stats'>;
  redis: Pick<Redis, 'hgetall' | 'mget'>;
  redisPrefix: string;
  queues: Array<Pick<Queue, 'name' | 'getJobCounts'>>;
  requireAdmin: RequestHandler;
}

export const METRICS_PATH = '/metrics';

const INTAKE_ROUTES = new Set(Object.values(INTAKE_PATHS));

/**
 * Counts and times every intake request by route and status. Mounted ahead of the intake routes,
 * so rate-limited and rejected requests are counted too.
 */
function intakeMetrics(registry: Registry): RequestHandler {
  const requests = new Counter({
    name: 'leadsync_intake_requests_total',
    help: 'Intake requests by route and HTTP status.',
    labelNames: ['route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'leadsync_intake_request_duration_seconds',
    help: 'Intake request latency by route, from the first byte read to the last byte written.',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return (req, res, next) => {
    const route = req.path;
    if (!INTAKE_ROUTES.has(route)) return next();
    const stop = duration.startTimer({ route });
    res.once('finish', () => {
      stop();
      requests.inc({ route, status: String(res.statusCode) });
    });
    next();
  };
}

/**
 * GET /metrics in Prometheus text format, behind CRON_SECRET like every operations surface
 * (Prometheus sends it with `authorization: { credentials: … }` in its scrape config).
 * This process's own series (intake, process defaults) plus the cluster's (leads, queues, and
 * what the workers counted in Redis).
 */
export function metricsRoutes(deps: MetricsDeps): Router {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerClusterMetrics(registry, { redis: deps.redis, prefix: deps.redisPrefix, db: deps.db, queues: deps.queues });

  const router = Router();
  router.use(intakeMetrics(registry));
  router.get(METRICS_PATH, deps.requireAdmin, async (_req, res) => {
    const body = await registry.metrics();
    res.set('Cache-Control', 'no-store').type(registry.contentType).send(body);
  });
  return router;
}
