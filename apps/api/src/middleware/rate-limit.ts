import type { Logger } from '@leadsync/config';
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { RedisClient } from '@leadsync/queue';
import { type RedisReply, RedisStore } from 'rate-limit-redis';
import { sendError } from './errors.js';

/**
 * rate-limit-redis loads its Lua script once, in init(). If Redis is down at that moment (or
 * merely not connected yet, since our client does not queue commands offline) the rejected
 * promise is kept for good and every later count fails: the limit would silently stay off
 * after Redis came back. This store reloads the script after any failure.
 */
class SelfHealingRedisStore extends RedisStore {
  private scriptFailed = false;

  override async init(options: Parameters<RedisStore['init']>[0]): Promise<void> {
    try {
      await super.init(options);
    } catch {
      // usually "not connected yet" at boot; the first count loads the script instead
      this.scriptFailed = true;
    }
  }

  override async increment(key: string) {
    if (this.scriptFailed) {
      this.scriptFailed = false;
      this.incrementScriptSha = this.loadIncrementScript();
    }
    try {
      return await super.increment(key);
    } catch (err) {
      this.scriptFailed = true;
      throw err;
    }
  }
}

export interface IntakeRateLimitOptions {
  redis: RedisClient;
  /** Requests per minute per client; 0 turns the limit off. */
  perMinute: number;
  keyPrefix: string;
  logger: Logger;
}

/**
 * Counts per client address in Redis, so the limit holds across API replicas. A Redis outage
 * lets requests through (passOnStoreError): losing leads is worse than a minute without a limit.
 */
export function intakeRateLimit(options: IntakeRateLimitOptions): RequestHandler {
  if (options.perMinute === 0) return (_req, _res, next) => next();
  const { redis, logger } = options;
  return rateLimit({
    windowMs: 60_000,
    limit: options.perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    passOnStoreError: true,
    store: new SelfHealingRedisStore({
      prefix: `${options.keyPrefix}:rl:`,
      sendCommand: (command, ...args) => redis.call(command!, ...args) as Promise<RedisReply>,
    }),
    logger: {
      error: (err, message) => logger.warn({ err }, message ?? 'rate limiter error'),
      warn: (err, message) => logger.warn({ err }, message ?? 'rate limiter warning'),
    },
    handler: (_req, res) => {
      sendError(res, 429, 'rate_limited', {
        message: `at most ${options.perMinute} requests a minute; see Retry-After`,
      });
    },
  });
}
