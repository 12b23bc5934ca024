import { createServer, type Server } from 'node:http';
import { ConfigError, createLogger, type Logger, withTimeout } from '@leadsync/config';
import { createDb } from '@leadsync/db';
import { createJobResults, createSyncProducer } from '@leadsync/queue';
import { type AppDeps, createApp } from './app.js';
import { type ApiConfig, apiDbConfig, loadApiConfig } from './config.js';
import { createApiOperations } from './operations.js';
import { createApiRedis } from './redis.js';
import { createApiZoho } from './zoho.js';

/** In-flight requests get this long to finish on shutdown before their connections are cut. */
const REQUEST_GRACE_MS = 10_000;
/** A Redis that is down never acknowledges a close; shutdown must not wait for it. */
const REDIS_CLOSE_GRACE_MS = 2000;

function loadConfigOrExit(): ApiConfig {
  try {
    return loadApiConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`leadsync api: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

function buildDeps(config: ApiConfig): AppDeps {
  const logger = createLogger({ name: 'api', level: config.LOG_LEVEL });
  const db = createDb(apiDbConfig(config));
  const redis = createApiRedis(config, logger);
  return {
    config,
    logger,
    db,
    producer: createSyncProducer({
      redisUrl: config.REDIS_URL,
      clusterNodes: config.REDIS_CLUSTER_NODES,
      prefix: config.REDIS_PREFIX,
    }),
    redis,
    operations: createApiOperations(config),
    zoho: createApiZoho(config, db, redis),
    jobResults: createJobResults(config),
  };
}

async function withDeadline(what: string, work: Promise<unknown>, ms: number, logger: Logger): Promise<void> {
  await withTimeout(
    work.catch((err) => logger.warn({ err }, `${what} failed`)),
    ms,
    () => logger.warn(`${what} did not finish in time`),
  );
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would hold close() open until they time out.
    server.closeIdleConnections();
  });
}

/** Stop accepting, let in-flight requests finish, then release Redis; the database needs no goodbye. */
function shutdownOnSignals(server: Server, deps: AppDeps): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    deps.logger.info({ signal }, 'shutting down');
    await withDeadline('finishing in-flight requests', closeServer(server), REQUEST_GRACE_MS, deps.logger);
    server.closeAllConnections();
    await withDeadline('closing the sync producer', deps.producer.close(), REDIS_CLOSE_GRACE_MS, deps.logger);
    await withDeadline('closing job events', deps.jobResults.close(), REDIS_CLOSE_GRACE_MS, deps.logger);
    await withDeadline('closing redis', deps.redis.quit(), REDIS_CLOSE_GRACE_MS, deps.logger);
    deps.redis.disconnect();
    deps.logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/**
 * Slow clients are cut off: the whole request within REQUEST_TIMEOUT_MS, its headers within
 * HEADERS_TIMEOUT_MS (408, connection closed). Node checks these timers only every
 * connectionsCheckingInterval (30 s by default), so that is tied to the timeouts too.
 */
function serverOptions(config: Pick<ApiConfig, 'REQUEST_TIMEOUT_MS' | 'HEADERS_TIMEOUT_MS'>) {
  const requestTimeout = config.REQUEST_TIMEOUT_MS;
  const headersTimeout = Math.min(config.HEADERS_TIMEOUT_MS, requestTimeout);
  return {
    requestTimeout,
    headersTimeout,
    connectionsCheckingInterval: Math.max(250, Math.min(5000, Math.floor(headersTimeout / 4))),
  };
}

/** The API process; server.ts (the entry point) runs it once the compile cache is on. */
export function main(): void {
  const config = loadConfigOrExit();
  const deps = buildDeps(config);
  const server = createServer(serverOptions(config), createApp(deps)).listen(config.PORT);
  server.once('listening', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    deps.logger.info({ port, syncMode: config.SYNC_MODE }, `leadsync api listening on http://localhost:${port}`);
  });
  server.once('error', (err) => {
    deps.logger.fatal({ err }, 'cannot listen');
    process.exit(1);
  });
  shutdownOnSignals(server, deps);
}
