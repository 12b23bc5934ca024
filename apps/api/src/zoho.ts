import type { Db } from '@leadsync/db';
import { createZohoConnectionIfConfigured, type RedisLike, type ZohoConnection } from '@leadsync/zoho-client';
import type { ApiConfig } from './config.js';

/**
 * The API's Zoho: only onboarding (consent URL, code exchange, token status, forced refresh),
 * sharing the token store and the Redis refresh lock with the workers. Null until a client is
 * configured: the API still takes leads without one, and onboarding says what to set.
 */
export function createApiZoho(config: ApiConfig, db: Pick<Db, 'tokens'>, redis: RedisLike): ZohoConnection | null {
  return createZohoConnectionIfConfigured({ settings: config, store: db.tokens, redis });
}
