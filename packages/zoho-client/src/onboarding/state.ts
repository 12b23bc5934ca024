import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The OAuth `state`: `<payload>.<signature>`, both base64url. The payload says who may finish the
 * flow and until when; the signature is HMAC-SHA256 under a key derived from CRON_SECRET, so any
 * API replica (or the CLI) can check a state another one issued, with no server-side store.
 *
 * A state alone would let anyone who saw it (a URL in a log or browser history) finish the flow
 * from their own browser, connecting *their* Zoho account (login CSRF). So a state issued to a
 * browser (`channel: 'browser'`) is also bound to it: the API sets its nonce there in a
 * short-lived HttpOnly SameSite=Lax cookie, and the callback requires the cookie to match
 * (nonceMatches). SameSite=Lax still sends the cookie on Zoho's top-level redirect back to us.
 *
 * A state printed by the CLI (`channel: 'cli'`) has no browser to bind to; it is accepted without
 * the cookie. It still cannot be forged without CRON_SECRET and expires like the others.
 */

export const STATE_TTL_MS = 10 * 60_000;
export const STATE_VERSION = 1;

export type StateChannel = 'browser' | 'cli';

export interface StatePayload {
  v: number;
  /** Random, 128 bits, base64url. */
  n: string;
  /** Expiry, epoch milliseconds. */
  exp: number;
  c: StateChannel;
}

export type StateCheck =
  | { ok: true; nonce: string; channel: StateChannel; expiresAt: Date }
  | { ok: false; reason: 'missing' | 'malformed' | 'bad_signature' | 'expired' };

const SIGNATURE_BYTES = 32;

/** A key for this one purpose, so a state can never double as any other token made from CRON_SECRET. */
export function stateKey(cronSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', cronSecret, 'leadsync', 'oauth-state/v1', 32));
}

function sign(key: Buffer, payloadPart: string): Buffer {
  return createHmac('sha256', key).update(payloadPart, 'utf8').digest();
}

export function issueState(
  key: Buffer,
  channel: StateChannel,
  now: number = Date.now(),
): { state: string; nonce: string; expiresAt: Date } {
  const payload: StatePayload = {
    v: STATE_VERSION,
    n: randomBytes(16).toString('base64url'),
    exp: now + STATE_TTL_MS,
    c: channel,
  };
  const payloadPart = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  const state = `${payloadPart}.${sign(key, payloadPart).toString('base64url')}`;
  return { state, nonce: payload.n, expiresAt: new Date(payload.exp) };
}

function parsePayload(part: string): StatePayload | null {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Partial<StatePayload>;
    if (
      value.v === STATE_VERSION &&
      typeof value.n === 'string' &&
      value.n.length > 0 &&
      typeof value.exp === 'number' &&
      (value.c === 'browser' || value.c === 'cli')
    ) {
      return value as StatePayload;
    }
  } catch {}
  return null;
}

/** The signature is checked (in constant time) before anything in the payload is believed. */
export function verifyState(key: Buffer, state: string | undefined | null, now: number = Date.now()): StateCheck {
  if (!state) return { ok: false, reason: 'missing' };
  const parts = state.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1] || state.length > 1024) return { ok: false, reason: 'malformed' };
  const [payloadPart, signaturePart] = parts as [string, string];
  const presented = Buffer.from(signaturePart, 'base64url');
  if (presented.length !== SIGNATURE_BYTES || !timingSafeEqual(presented, sign(key, payloadPart))) {
    return { ok: false, reason: 'bad_signature' };
  }
  const payload = parsePayload(payloadPart);
  if (!payload) return { ok: false, reason: 'malformed' };
  if (payload.exp <= now) return { ok: false, reason: 'expired' };
  return { ok: true, nonce: payload.n, channel: payload.c, expiresAt: new Date(payload.exp) };
}

/** Constant-time comparison of the cookie's nonce with the state's. */
export function nonceMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(presented, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
