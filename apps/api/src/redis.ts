import type { Logger } from '@leadsync/config';
import { createRedisClient, type RedisClient, type RedisSettings } from '@leadsync/queue';

/**
 * The API's own Redis client (rate limit, readiness, captcha verdicts kept for retries). Commands
 * fail at once while Redis is down instead of queueing, and time out if it hangs, so Redis
 * trouble never holds up intake.
 */
export function createApiRedis(settings: RedisSettings, logger: Logger): RedisClient {
  const redis = createRedisClient(settings, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  // One line per outage, not one per reconnect attempt.
  let healthy = true;
  redis.on('ready', () => {
    if (!healthy) logger.info('redis is reachable again');
    healthy = true;
  });
  redis.on('error', (err) => {
    if (healthy)
      logger.warn(
        { err },
        'redis unreachable; intake continues without rate limit, sync nudges and kept captcha verdicts',
      );
    healthy = false;
  });
  return redis;
}
