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

/** Whether a request presents `secret` (bearer or basic password), compared in constant time. */
export function presentsSecret(secret: string): (authorization: string | undefined) => boolean {
  const expected = digest(secret);
  return (authorization) => {
    const presented = presentedSecret(authorization);
    return presented !== undefined && timingSafeEqual(digest(presented), expected);
  };
}

/** The 401 every guarded route answers; its WWW-Authenticate makes a browser show its login box. */
export function refuse(res: Parameters<RequestHandler>[1]): void {
  res.set('WWW-Authenticate', REALM);
  sendError(res, 401, 'unauthorized', { message: 'send Authorization: Bearer <CRON_SECRET>' });
}

/**
 * Guards every operations route with CRON_SECRET. Both sides are hashed first so
 * timingSafeEqual compares equal lengths and the time taken says nothing about the secret.
 */
export function requireAdmin(secret: string): RequestHandler {
  const matches = presentsSecret(secret);
  return (req, res, next) => (matches(req.get('authorization')) ? next() : refuse(res));
}
