import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { sendError } from './errors.js';

const REALM = 'Basic realm="leadsync"';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The secret a request presents: a bearer token, or the password of HTTP basic (any user, so a browser can log in). */
export function presentedSecret(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme, credentials, ...rest] = authorization.trim().split(/\s+/);
  if (!credentials || rest.length > 0) return undefined;
  switch (scheme?.toLowerCase()) {
    case 'bearer':
      return credentials;
    case 'basic': {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon === -1 ? undefined : decoded.slice(colon + 1);
    }
    default:
      return undefined;
  }
}

/**
 * Guards every operations route with CRON_SECRET. Both sides are hashed first so
 * timingSafeEqual compares equal lengths and the time taken says nothing about the secret.
 */
export function requireAdmin(secret: string): RequestHandler {
  const expected = digest(secret);
  return (req, res, next) => {
    const presented = presentedSecret(req.get('authorization'));
    if (presented !== undefined && timingSafeEqual(digest(presented), expected)) return next();
    res.set('WWW-Authenticate', REALM);
    sendError(res, 401, 'unauthorized', { message: 'send Authorization: Bearer <CRON_SECRET>' });
  };
}
