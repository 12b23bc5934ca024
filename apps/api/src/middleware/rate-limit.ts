import { createHash } from 'node:crypto';
import type { Logger } from '@leadsync/config';
import type { RedisClient } from '@leadsync/queue';
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
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

/**
 * The store's way to Redis. rate-limit-redis loads its scripts with SCRIPT LOAD and runs them with
 * EVALSHA. On a Redis Cluster, ioredis sends SCRIPT LOAD to whichever node it picks, seldom the one
 * that owns the counter's key, so EVALSHA finds no script there (NOSCRIPT, and again after the
 * store's reload) and the limit is silently off. On a cluster this answers SCRIPT LOAD itself with
 * the SHA1 Redis would answer, and runs EVALSHA on the key's node, sending the script (EVAL) to that
 * node when it does not know it yet, as ioredis's own defineCommand does.
 */
export function rateLimitSendCommand(redis: RedisClient) {
  const scripts = new Map<string, string>();
  return async (command: string, ...args: string[]): Promise<RedisReply> => {
    if (redis.isCluster) {
      const name = command.toUpperCase();
      if (name === 'SCRIPT' && args[0]?.toUpperCase() === 'LOAD' && args[1] !== undefined) {
        const sha = createHash('sha1').update(args[1]).digest('hex');
        scripts.set(sha, args[1]);
        return sha;
      }
      const script = name === 'EVALSHA' ? scripts.get(args[0] ?? '') : undefined;
      if (script !== undefined) {
        try {
          return (await redis.call('EVALSHA', ...args)) as RedisReply;
        } catch (err) {
          if (!/^NOSCRIPT/.test((err as Error).message)) throw err;
          return (await redis.call('EVAL', script, ...args.slice(1))) as RedisReply;
        }
      }
    }
    return (await redis.call(command, ...args)) as RedisReply;
  };
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
  const send = rateLimitSendCommand(redis);
  return rateLimit({
    windowMs: 60_000,
    limit: options.perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    passOnStoreError: true,
    store: new SelfHealingRedisStore({
      prefix: `${options.keyPrefix}:rl:`,
      sendCommand: (command, ...args) => send(command!, ...args),
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
