import { DEFAULTS, prepareTestTemplate, redisAnswers, startRedisServer } from '@leadsync/local-stack';

/**
 * Once per jest run: make sure a Redis answers (reusing the machine's, else starting one) and
 * build the template database each test file copies. Test files then start their own PostgREST
 * and gateway (tests/support/stack.ts), so they run in parallel and fault tests stop only
 * what they started.
 */
export default async function globalSetup(): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? DEFAULTS.redisUrl;
  process.env.REDIS_URL = redisUrl;
  if (!(await redisAnswers(redisUrl))) {
    const redis = await startRedisServer(Number(new URL(redisUrl).port || 6379));
    (globalThis as { __leadsyncRedis?: { stop(): Promise<void> } }).__leadsyncRedis = redis;
  }
  await prepareTestTemplate();
}
