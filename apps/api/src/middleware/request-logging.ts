import { randomUUID } from 'node:crypto';
import type { Logger } from '@leadsync/config';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';

const SANE_REQUEST_ID = /^[\w.:-]{1,100}$/;
const PROBES = new Set(['/healthz', '/readyz']);

/**
 * One log line per request. Only method, path, status and timing: bodies (and most headers)
 * carry visitors' personal data, and authorization headers never reach a log.
 */
export function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req, res) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // Load balancers poll these every few seconds; logging them would drown real traffic.
    autoLogging: { ignore: (req) => PROBES.has(req.url?.split('?')[0] ?? '') },
    // 503 is an outage already logged where it was detected, not a fault of ours.
    customLogLevel: (_req, res, err) => {
      if (res.statusCode === 503) return 'warn';
      return err || res.statusCode >= 500 ? 'error' : 'info';
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        // query strings may carry personal data too
        url: req.url.split('?')[0],
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  }) as unknown as RequestHandler;
}
