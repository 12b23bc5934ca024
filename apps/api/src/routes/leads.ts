import { type Db, LEAD_STATUSES, type LeadRow } from '@leadsync/db';
import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { sendError } from '../middleware/errors.js';

export const LEAD_PATHS = { status: '/api/leads/:id' } as const;

/** A lead's id in a path: any 8-4-4-4-12 hex id, whatever its UUID version. */
export const leadIdParamsSchema = z.object({ id: z.guid() });

export const leadStatusSchema = z.object({
  id: z.uuid(),
  source: z.enum(['quote_form', 'chatbot']),
  status: z.enum(LEAD_STATUSES),
  zoho_id: z.string().nullable(),
  attempts: z.number().int(),
  last_error: z.object({ code: z.string().nullable(), message: z.string().nullable() }).nullable(),
  created_at: z.string(),
  synced_at: z.string().nullable(),
});

/** What operators see of a lead: its sync state, none of the visitor's personal data. */
export function leadStatusView(lead: LeadRow): z.infer<typeof leadStatusSchema> {
  return {
    id: lead.id,
    source: lead.source,
    status: lead.status,
    zoho_id: lead.zoho_id,
    attempts: lead.attempts,
    last_error:
      lead.last_error_code === null && lead.last_error_message === null
        ? null
        : { code: lead.last_error_code, message: lead.last_error_message },
    created_at: lead.created_at,
    synced_at: lead.synced_at,
  };
}

/** Operations routes over leads; mounted behind requireAdmin. */
export function leadRoutes(deps: { db: Pick<Db, 'leads'>; requireAdmin: RequestHandler }): Router {
  const router = Router();
  router.get(LEAD_PATHS.status, deps.requireAdmin, async (req, res) => {
    const params = leadIdParamsSchema.safeParse(req.params);
    if (!params.success) return sendError(res, 400, 'invalid_id', { message: 'id must be a UUID' });
    const lead = await deps.db.leads.get(params.data.id);
    if (!lead) return sendError(res, 404, 'not_found', { message: 'no lead with this id' });
    res.set('Cache-Control', 'no-store').json(leadStatusView(lead));
  });
  return router;
}
