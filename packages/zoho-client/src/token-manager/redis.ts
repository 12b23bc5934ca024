import { RetryLaterError } from '../errors.js';

/**
 * The Redis commands the token manager uses; an ioredis client fits it as it is. Plain commands
 * where one command is atomic by itself, `eval` for the scripts in ./scripts that must read and
 * write in one step.
 */
export interface RedisLike {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, px: 'PX', milliseconds: number): Promise<unknown>;
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<unknown>;
  del(key: string): Promise<number>;
  exists(key: string): Promise<number>;
  zrem(key: string, member: string): Promise<number>;
}

/**
 * Without Redis there is no lock and no shared refresh count, so refreshing would risk Zoho's
 * limit: every Redis failure becomes "retry later". Cached tokens keep working, they need no Redis.
 */
export async function guarded<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (cause) {
    throw new RetryLaterError('REDIS_UNAVAILABLE', 'Redis is unavailable for the Zoho token lock', { cause });
  }
}

/** Bookkeeping whose failure must not hide the answer the caller is waiting for. */
export const bestEffort = (p: Promise<unknown>): Promise<unknown> => p.catch(() => undefined);

/**
 * Every key the token manager writes. Per refresh token, keyed by its HMAC fingerprint (never the
 * token): a new grant starts with a fresh budget and no recorded failure.
 */
export function redisKeys(prefix: string) {
  return {
    lock: `${prefix}refresh:lock`,
    window: (fp: string) => `${prefix}refresh:window:${fp}`,
    blocked: (fp: string) => `${prefix}refresh:blocked:${fp}`,
    failure: (fp: string) => `${prefix}refresh:failure:${fp}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
