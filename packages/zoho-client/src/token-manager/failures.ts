import {
  FixConfigError,
  ReAuthorizeError,
  RejectedRequestError,
  RetryLaterError,
  WaitUntilError,
  ZohoError,
  type ZohoErrorAction,
} from '../errors.js';
import { guarded, type RedisKeys, type RedisLike } from './redis.js';

/** A failed refresh as other processes read it back from Redis. */
export interface PublishedFailure {
  action: ZohoErrorAction;
  code: string;
  message: string;
  resetAt?: number;
}

export function toZohoError(error: unknown): ZohoError {
  if (error instanceof ZohoError) return error;
  return new RetryLaterError('TOKEN_REFRESH_FAILED', 'Zoho token refresh failed unexpectedly', { cause: error });
}

export function publishedFailure(error: ZohoError): PublishedFailure {
  const published: PublishedFailure = { action: error.action, code: error.code, message: error.message };
  if (error instanceof WaitUntilError) published.resetAt = error.resetAt.getTime();
  return published;
}

/**
 * How long a failure is replayed to other callers instead of retried: until Zoho's reset for a
 * throttle, a whole refresh window for a revoked token (it stays revoked; a new grant has a new
 * fingerprint, so it is not held back), a minute for a configuration error, briefly otherwise.
 */
export function failureHoldMs(
  error: ZohoError,
  nowMs: number,
  holds: { transientMs: number; windowMs: number },
): number {
  if (error instanceof WaitUntilError) return Math.max(1, error.resetAt.getTime() - nowMs);
  if (error instanceof ReAuthorizeError) return holds.windowMs;
  if (error instanceof FixConfigError) return 60_000;
  return holds.transientMs;
}

/** The typed error a caller gets for a failure another process published: the same action as the original. */
export function errorFromPublished(f: PublishedFailure): ZohoError {
  const message = `${f.message} (reported by the process that attempted the refresh)`;
  switch (f.action) {
    case 're_authorize':
      return new ReAuthorizeError(f.code, message);
    case 'fix_config':
      return new FixConfigError(f.code, message);
    case 'wait_until':
      return new WaitUntilError(f.code, message, new Date(f.resetAt ?? Date.now()));
    case 'rejected_request':
      return new RejectedRequestError(f.code, message);
    default:
      return new RetryLaterError(f.code, message);
  }
}

export interface FailureBoard {
  /** Throws the failure published for this refresh token, if one is still held. */
  throwIfPublished(refreshFp: string): Promise<void>;
  /** Lets waiting processes (and callers in the next moments) see this failure instead of repeating it. */
  publish(refreshFp: string, error: ZohoError, nowMs: number): Promise<void>;
  clear(refreshFp: string): Promise<void>;
}

export function createFailureBoard(
  redis: RedisLike,
  keys: RedisKeys,
  holds: { transientMs: number; windowMs: number },
): FailureBoard {
  return {
    async throwIfPublished(refreshFp) {
      const raw = await guarded(() => redis.get(keys.failure(refreshFp)));
      if (typeof raw !== 'string') return;
      let published: PublishedFailure;
      try {
        published = JSON.parse(raw) as PublishedFailure;
      } catch {
        return; // unreadable entry: ignore it rather than block refreshes
      }
      throw errorFromPublished(published);
    },
    async publish(refreshFp, error, nowMs) {
      const value = JSON.stringify(publishedFailure(error));
      await guarded(() => redis.set(keys.failure(refreshFp), value, 'PX', failureHoldMs(error, nowMs, holds)));
    },
    async clear(refreshFp) {
      await guarded(() => redis.del(keys.failure(refreshFp)));
    },
  };
}
