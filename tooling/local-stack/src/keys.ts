import { createHmac } from 'node:crypto';

/**
 * The Supabase CLI's well-known local JWT secret. `supabase start` users see the same anon and
 * service-role keys, so snippets and tools written for a local Supabase work here unchanged.
 * These are public demo values, never secrets of a real project.
 */
export const LOCAL_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
const LOCAL_KEY_EXPIRY = 1983812996;

export function signJwt(payload: Record<string, unknown>, secret: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}

export function localKey(role: 'anon' | 'service_role', secret = LOCAL_JWT_SECRET): string {
  return signJwt({ iss: 'supabase-demo', role, exp: LOCAL_KEY_EXPIRY }, secret);
}

export const LOCAL_ANON_KEY = localKey('anon');
export const LOCAL_SERVICE_ROLE_KEY = localKey('service_role');
