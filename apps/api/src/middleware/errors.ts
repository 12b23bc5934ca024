import type { Logger } from '@leadsync/config';
import { DbConflictError, DbError, DbUnavailableError } from '@leadsync/db';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { z } from 'zod';

/** Seconds a client should wait before retrying when Supabase is unreachable. */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

/** The documented shape of an error body (some answers add fields, e.g. the lead's `status`). */
export const errorBodySchema = z.object({
  error: z.string(),
  message: z.string().optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/** Every error body has a stable machine-readable `error` and, where it helps, a `message`. */
export function sendError(res: Response, status: number, error: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ error, ...extra });
}

export const notFound: RequestHandler = (_req, res) => {
  sendError(res, 404, 'not_found', { message: 'no such route' });
};

// body-parser (and Express's param decoding) flag client faults with a `type` and a 4xx status.
// Each becomes a precise answer; none of them may surface as a 5xx.
const CLIENT_ERRORS: Record<string, { status: number; error: string; message: string }> = {
  'entity.parse.failed': { status: 400, error: 'malformed_json', message: 'the body is not valid JSON' },
  'entity.too.large': { status: 413, error: 'payload_too_large', message: 'the body is larger than allowed' },
  'parameters.too.many': { status: 413, error: 'payload_too_large', message: 'the form has too many fields' },
  'encoding.unsupported': { status: 415, error: 'unsupported_media_type', message: 'unsupported content encoding' },
  'charset.unsupported': { status: 415, error: 'unsupported_media_type', message: 'send the body as UTF-8' },
  'request.aborted': { status: 400, error: 'bad_request', message: 'the request was aborted' },
  'request.size.invalid': { status: 400, error: 'bad_request', message: 'the body length does not match' },
  'querystring.parse.rangeError': { status: 400, error: 'bad_request', message: 'the form is nested too deeply' },
};

interface HttpishError {
  type?: unknown;
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
}

function clientStatus(err: HttpishError): number | undefined {
  const status = typeof err.status === 'number' ? err.status : err.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** The last middleware: known faults get their answer, anything else is a logged 500 without details. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    const e = (err ?? {}) as HttpishError;
    const known = typeof e.type === 'string' ? CLIENT_ERRORS[e.type] : undefined;
    if (known) return sendError(res, known.status, known.error, { message: known.message });

    if (err instanceof DbUnavailableError) {
      (req.log ?? logger).warn({ err }, 'supabase unavailable');
      res.set('Retry-After', String(UNAVAILABLE_RETRY_AFTER_S));
      return sendError(res, 503, 'unavailable', { message: 'storage is unavailable; retry later' });
    }
    if (err instanceof DbConflictError) {
      res.set('Retry-After', '1');
      return sendError(res, 409, 'conflict', { message: 'a concurrent request changed this resource; retry' });
    }
    // A DbError's `status` is PostgREST's answer to us, not a verdict on the client's request.
    const status = err instanceof DbError ? undefined : clientStatus(e);
    if (status !== undefined) return sendError(res, status, 'bad_request');

    (req.log ?? logger).error({ err }, 'unhandled error');
    sendError(res, 500, 'internal_error');
  };
}
