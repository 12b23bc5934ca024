import type { LeadSource } from '@leadsync/db';
import cors from 'cors';
import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { type AcceptLeadDeps, acceptLead } from '../intake/accept-lead.js';
import { readIdempotencyKey } from '../intake/idempotency-key.js';
import { intakeBodyParsers } from '../middleware/body.js';
import { sendError } from '../middleware/errors.js';

export interface IntakeRouteOptions extends AcceptLeadDeps {
  corsOrigins: string[];
  bodyLimit: string;
  rateLimit: RequestHandler;
}

export const INTAKE_PATHS: Record<LeadSource, string> = {
  quote_form: '/api/store-lead',
  chatbot: '/api/chatbot-leads',
};

/** The 202 answer: the lead is stored; Zoho follows. */
export const leadAcceptedSchema = z.object({ id: z.uuid(), status: z.literal('pending') });

/** How long a client should wait when the same Idempotency-Key is still being processed. */
const IN_FLIGHT_RETRY_AFTER_S = 1;

function intakeHandler(source: LeadSource, deps: AcceptLeadDeps): RequestHandler {
  return async (req, res) => {
    const key = readIdempotencyKey(req.get('idempotency-key'));
    if (!key.ok) return sendError(res, 400, 'invalid_idempotency_key', { message: key.message });

    const answer = await acceptLead(deps, { source, body: req.body, idempotencyKey: key.key, remoteIp: req.ip });
    switch (answer.kind) {
      case 'invalid':
        return sendError(res, 422, 'validation_failed', { issues: answer.issues });
      case 'in_flight':
        res.set('Retry-After', String(IN_FLIGHT_RETRY_AFTER_S));
        return sendError(res, 409, 'idempotency_key_in_flight', {
          message: 'a request with this Idempotency-Key is still being processed',
        });
      case 'key_reused':
        return sendError(res, 422, 'idempotency_key_reused', {
          message: 'this Idempotency-Key was already used with a different body',
        });
      case 'accepted':
        if (answer.replayed) res.set('Idempotent-Replayed', 'true');
        res.status(202).json({ id: answer.id, status: 'pending' } satisfies z.infer<typeof leadAcceptedSchema>);
    }
  };
}

const methodNotAllowed: RequestHandler = (_req, res) => {
  res.set('Allow', 'POST, OPTIONS');
  sendError(res, 405, 'method_not_allowed', { message: 'use POST' });
};

/**
 * The public intake endpoints. Order matters: CORS answers preflights before anything counts
 * them, the rate limit runs before any body is read, and the body is checked before parsing.
 */
export function intakeRoutes(options: IntakeRouteOptions): Router {
  const router = Router();
  const corsPolicy = cors({
    // An empty allow-list answers no cross-origin request: same-origin only.
    origin: options.corsOrigins,
    methods: ['POST'],
    allowedHeaders: ['Content-Type', 'Idempotency-Key'],
    exposedHeaders: ['Retry-After', 'Idempotent-Replayed', 'RateLimit', 'RateLimit-Policy'],
    maxAge: 600,
  });
  for (const source of Object.keys(INTAKE_PATHS) as LeadSource[]) {
    const path = INTAKE_PATHS[source];
    router.options(path, corsPolicy);
    router.post(
      path,
      corsPolicy,
      options.rateLimit,
      ...intakeBodyParsers(options.bodyLimit),
      intakeHandler(source, options),
    );
    router.all(path, methodNotAllowed);
  }
  return router;
}
