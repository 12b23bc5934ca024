import type { Logger } from '@leadsync/config';
import type { Db } from '@leadsync/db';
import {
  type AttentionQueues,
  type JobResults,
  retryLead,
  type SyncProducer,
  startSyncFor,
  sumBatchResults,
} from '@leadsync/queue';
import express, { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { sendError } from '../middleware/errors.js';
import { leadIdParamsSchema } from './leads.js';

export const ADMIN_PATHS = {
  sync: '/api/admin/sync',
  retry: '/api/admin/leads/:id/retry',
} as const;

/** Longest a `?wait=true` request is held; after it the answer is 202 "running", never a 504. */
export const SYNC_WAIT_MS = 60_000;

export const adminSyncBodySchema = z.strictObject({
  limit: z.number().int().positive().max(100_000).optional(),
  force_refresh: z.boolean().optional(),
});

export const adminSyncQuerySchema = z.object({
  wait: z.enum(['true', 'false']).optional(),
});

export const adminSyncAcceptedSchema = z.object({
  job_id: z.string(),
  status: z.enum(['queued', 'running']),
});

export const adminSyncResultSchema = z.object({
  job_id: z.string(),
  status: z.enum(['completed', 'failed']),
  claimed: z.number().int().optional(),
  synced: z.number().int().optional(),
  failed: z.number().int().optional(),
  retrying: z.number().int().optional(),
  token_refreshed: z.boolean().optional(),
  error: z.string().optional(),
});

export const leadRetriedSchema = z.object({ id: z.uuid(), status: z.literal('pending') });

export interface AdminRouteDeps {
  db: Pick<Db, 'leads'>;
  producer: Pick<SyncProducer, 'queue' | 'enqueueDrain'>;
  jobResults: Pick<JobResults, 'waitForDrain'>;
  /** A retried lead's attention job is removed (Bull Board shows only leads that still need a person). */
  attention: Pick<AttentionQueues, 'failed' | 'spam'>;
  logger: Pick<Logger, 'warn'>;
  requireAdmin: RequestHandler;
  /** Tests shorten it. */
  waitMs?: number;
}

/** JSON for admin bodies; an empty body is an empty object (curl -X POST with no -d). */
const adminJson = express.json({ limit: '4kb' });

function issuesOf(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/**
 * POST /api/admin/sync: drain pending leads now, through the workers (the API never calls Zoho for
 * leads): one batch job, whose full batch starts the rest of the drain; `?wait=true` answers the
 * totals of the whole drain. POST /api/admin/leads/:id/retry: a failed or spam lead back to
 * pending, with a batch job for it at once (also in daily mode: an operator asked).
 */
export function adminRoutes(deps: AdminRouteDeps): Router {
  const router = Router();
  const waitMs = deps.waitMs ?? SYNC_WAIT_MS;

  router.post(ADMIN_PATHS.sync, deps.requireAdmin, adminJson, async (req, res) => {
    const body = adminSyncBodySchema.safeParse(req.body ?? {});
    const query = adminSyncQuerySchema.safeParse(req.query);
    if (!body.success || !query.success) {
      const issues = [...(body.error ? issuesOf(body.error) : []), ...(query.error ? issuesOf(query.error) : [])];
      return sendError(res, 422, 'validation_failed', { issues });
    }
    const jobId = await deps.producer.enqueueDrain({
      reason: 'admin',
      limit: body.data.limit,
      forceRefresh: body.data.force_refresh,
    });
    if (!jobId) throw new Error('the drain job got no id');
    res.set('Cache-Control', 'no-store');
    if (query.data.wait !== 'true') return res.status(202).json({ job_id: jobId, status: 'queued' });

    const outcome = await deps.jobResults.waitForDrain(deps.producer.queue, jobId, waitMs);
    if (outcome.state === 'running') return res.status(202).json({ job_id: jobId, status: 'running' });
    if (outcome.state === 'failed')
      return res.status(200).json({ job_id: jobId, status: 'failed', error: outcome.reason });
    const result = sumBatchResults([outcome.value]);
    res.status(200).json({
      job_id: jobId,
      status: 'completed',
      claimed: result.claimed,
      synced: result.synced,
      failed: result.failed,
      retrying: result.retrying,
      token_refreshed: result.tokenRefreshed,
    });
  });

  router.post(ADMIN_PATHS.retry, deps.requireAdmin, async (req, res) => {
    const params = leadIdParamsSchema.safeParse(req.params);
    if (!params.success) return sendError(res, 400, 'invalid_id', { message: 'id must be a UUID' });
    const id = params.data.id;
    const outcome = await retryLead(
      {
        leads: deps.db.leads,
        queues: deps.attention,
        // The lead is pending in the database either way; a lost nudge is picked up by the sweep or drain.
        startSync: (leadId) => startSyncFor(deps.producer, leadId),
        onRedisError: (step, err) => deps.logger.warn({ leadId: id, step, err }, 'lead retried; Redis step failed'),
      },
      id,
    );
    if (!outcome.retried) {
      const lead = await deps.db.leads.get(id);
      if (!lead) return sendError(res, 404, 'not_found', { message: 'no lead with this id' });
      return sendError(res, 409, 'not_retryable', {
        message: `the lead is ${lead.status}; only failed or spam leads can be retried`,
        status: lead.status,
      });
    }
    res.set('Cache-Control', 'no-store').json({ id, status: 'pending' });
  });
  return router;
}
