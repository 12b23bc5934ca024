import { ConfigError, createLogger } from '@leadsync/config';
import { createDb } from '@leadsync/db';
import { createRedisClient } from '@leadsync/queue';
import { FixConfigError } from '@leadsync/zoho-client';
import { loadWorkerConfig } from './config.js';
import { startWorker } from './runtime.js';
import { createWorkerZoho } from './zoho.js';

/**
 * The worker process, configured only by environment variables; any number may run against the
 * same Redis and Supabase. worker.ts (the entry point) runs it once the compile cache is on.
 */
export async function main(): Promise<void> {
  let config: ReturnType<typeof loadWorkerConfig>;
  try {
    config = loadWorkerConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`leadsync worker: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }

  const logger = createLogger({ name: 'worker', level: config.LOG_LEVEL });
  const db = createDb({ url: config.SUPABASE_URL, serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY });
  // The token manager's lock and refresh counter; BullMQ makes its own connections.
  const redis = createRedisClient(config, { maxRetriesPerRequest: 3 });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));

  let zoho: ReturnType<typeof createWorkerZoho>;
  try {
    zoho = createWorkerZoho(config, db, redis);
  } catch (err) {
    if (err instanceof FixConfigError) {
      console.error(`leadsync worker: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }

  if (config.ZOHO_REFRESH_TOKEN) {
    const seeded = await zoho.tokens.seedRefreshToken({
      refreshToken: config.ZOHO_REFRESH_TOKEN,
      accountsServer: config.ZOHO_ACCOUNTS_URL,
      apiDomain: config.ZOHO_API_DOMAIN,
    });
    if (seeded) logger.info('Zoho refresh token seeded from ZOHO_REFRESH_TOKEN');
  }

  const worker = await startWorker({ config, db, zoho, logger });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing the batches in flight');
    await worker.close();
    redis.disconnect();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
