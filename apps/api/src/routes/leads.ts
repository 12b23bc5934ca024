import type { Db, LeadRow } from '@leadsync/db';
import { type RequestHandler, Router } from 'express';
import { sendError } from '../middleware/errors.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What operators see of a lead: its sync state, none of the visitor's personal data. */
export function leadStatusView(lead: LeadRow) {
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
  router.get('/api/leads/:id', deps.requireAdmin, async (req, res) => {
    const id = String(req.params.id);
    if (!UUID.test(id)) return sendError(res, 400, 'invalid_id', { message: 'id must be a UUID' });
    const lead = await deps.db.leads.get(id);
    if (!lead) return sendError(res, 404, 'not_found', { message: 'no lead with this id' });
    res.set('Cache-Control', 'no-store').json(leadStatusView(lead));
  });
  return router;
}
