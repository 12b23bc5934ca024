import { QUEUES } from '@leadsync/queue';
import type { Queue } from 'bullmq';
import { type RequestHandler, Router } from 'express';
import { presentsSecret, refuse } from '../middleware/admin-auth.js';
import { loadOnce } from './load-once.js';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Helmet's app-wide policy would break the board (its UI sets inline styles, and
 * upgrade-insecure-requests breaks its assets on a plain-http deployment). This one applies only
 * under BULL_BOARD_PATH: scripts still only from this origin, styles inline too, fonts from
 * Google Fonts as the UI's stylesheet asks, no framing.
 */
export const BULL_BOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline' https://fonts.googleapis.com",
  "font-src 'self' data: https://fonts.gstatic.com",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const relaxedCsp: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', BULL_BOARD_CSP);
  next();
};

/** What each queue is for, shown under its name in the board. */
export const QUEUE_DESCRIPTIONS: Record<string, string> = {
  [QUEUES.sync]: 'Sync batches: leads sent to Zoho',
  [QUEUES.attention]:
    'Leads that need a person (Zoho refused them, or retries ran out). Retry = back to pending and synced; a lead id finds its job.',
  [QUEUES.spam]: 'Leads held as spam at intake (newest kept). Retry = released to pending and synced.',
  [QUEUES.token]: 'Zoho access token upkeep',
};

/**
 * Bull Board over every queue leadsync runs, behind the admin secret: a browser shows its login
 * box on the 401 (any user name, CRON_SECRET as the password). With BULL_BOARD_READ_ONLY_SECRET
 * set, that password opens the same board read-only (Bull Board refuses every change on it).
 * Retry on a lead-attention or lead-spam job retries the lead (docs/operations.md §1).
 */
export function bullBoardRoutes(deps: { queues: Queue[]; adminSecret: string; readOnlySecret?: string }): Router {
  const full = lazyBoard(deps.queues, false);
  const readOnly = deps.readOnlySecret ? lazyBoard(deps.queues, true) : undefined;
  const isAdmin = presentsSecret(deps.adminSecret);
  const isReader = deps.readOnlySecret ? presentsSecret(deps.readOnlySecret) : () => false;
  const router = Router();
  router.use(BULL_BOARD_PATH, relaxedCsp, (req, res, next) => {
    const authorization = req.get('authorization');
    if (isAdmin(authorization)) return full(req, res, next);
    if (readOnly && isReader(authorization)) return readOnly(req, res, next);
    refuse(res);
  });
  return router;
}

/**
 * A board built on its first authorised request: Bull Board (its UI server, templates and
 * adapters) is imported then, not at start-up, where it cost the API about 50 ms and some
 * megabytes for a page an operator opens now and then. A refused request loads nothing.
 */
function lazyBoard(queues: Queue[], readOnlyMode: boolean): RequestHandler {
  const router = loadOnce(() =>
    import('./bull-board-ui.js').then(({ board }) => board(queues, readOnlyMode, QUEUE_DESCRIPTIONS)),
  );
  return (req, res, next) => {
    router().then((board) => board(req, res, next), next);
  };
}
