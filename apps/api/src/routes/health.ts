import { withTimeout } from '@leadsync/config';
import type { Db } from '@leadsync/db';
import { Router } from 'express';
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const HEALTH_PATHS = { live: '/healthz', ready: '/readyz' } as const;

export const livenessSchema = z.object({ status: z.literal('ok') });
export const readinessSchema = z.object({ status: z.string(), checks: z.record(z.string(), z.string()) });

export interface HealthDeps {
  db: Pick<Db, 'ping'>;
  redis: Pick<Redis, 'ping'>;
}

/** A probe that hangs is as bad as one that fails; each check gets this long. */
export const READINESS_CHECK_TIMEOUT_MS = 1000;

type CheckResult = 'ok' | 'unavailable';

async function check(probe: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await withTimeout(probe(), READINESS_CHECK_TIMEOUT_MS);
    return 'ok';
  } catch {
    return 'unavailable';
  }
}

/**
 * /healthz: the process answers (restart it if not). /readyz: it can do its job, so a load
 * balancer stops sending leads to a replica that cannot store them. Both are public and say
 * nothing beyond ok/unavailable.
 */
export function healthRoutes(deps: HealthDeps): Router {
  const router = Router();
  router.get(HEALTH_PATHS.live, (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' } satisfies z.infer<typeof livenessSchema>);
  });
  router.get(HEALTH_PATHS.ready, async (_req, res) => {
    const [redis, supabase] = await Promise.all([check(() => deps.redis.ping()), check(() => deps.db.ping())]);
    const ready = redis === 'ok' && supabase === 'ok';
    const body: z.infer<typeof readinessSchema> = {
      status: ready ? 'ready' : 'unavailable',
      checks: { redis, supabase },
    };
    res
      .set('Cache-Control', 'no-store')
      .status(ready ? 200 : 503)
      .json(body);
  });
  return router;
}
