import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { type RequestHandler, Router } from 'express';

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

/**
 * Bull Board over every queue leadsync runs, behind the admin secret. requireAdmin answers 401
 * with `WWW-Authenticate: Basic`, so a browser shows its login box: any user name, CRON_SECRET
 * as the password. The board's Retry button on a failed job re-runs that job.
 */
export function bullBoardRoutes(deps: { queues: Queue[]; requireAdmin: RequestHandler }): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: deps.queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'leadsync', hideDocsLink: true } },
  });
  const router = Router();
  router.use(BULL_BOARD_PATH, deps.requireAdmin, relaxedCsp, serverAdapter.getRouter());
  return router;
}
