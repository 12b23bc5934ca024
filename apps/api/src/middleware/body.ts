import express, { type RequestHandler } from 'express';
import { sendError } from './errors.js';

export const INTAKE_MEDIA_TYPES = ['application/json', 'application/x-www-form-urlencoded'];

function hasBody(headers: { 'transfer-encoding'?: string; 'content-length'?: string }): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/** A body in any other media type (or none declared) is refused before anything reads it. */
export const requireIntakeMediaType: RequestHandler = (req, res, next) => {
  if (!hasBody(req.headers) || req.is(INTAKE_MEDIA_TYPES)) return next();
  sendError(res, 415, 'unsupported_media_type', { message: `send ${INTAKE_MEDIA_TYPES.join(' or ')}` });
};

/**
 * JSON and HTML-form bodies up to `limit`. Forms are parsed flat (extended: false): a field
 * posted twice becomes a list and fails validation rather than building nested objects.
 */
export function intakeBodyParsers(limit: string): RequestHandler[] {
  return [
    requireIntakeMediaType,
    express.json({ limit, strict: true }),
    express.urlencoded({ limit, extended: false, parameterLimit: 200 }),
  ];
}
