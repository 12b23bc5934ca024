import { createDb, type Db } from '@leadsync/db';
import { createRedisClient, createSyncProducer, type SyncProducer } from '@leadsync/queue';
import { createZohoConnectionIfConfigured, NOT_CONFIGURED, type ZohoConnection } from '@leadsync/zoho-client';
import type { CliConfig } from './config.js';
import { CliError } from './errors.js';

/** What a command works with; connections are made by the first command that needs them. */
export interface Context {
  config: CliConfig;
  db: Db;
  /** Null until ZOHO_CLIENT_ID / ZOHO_CLIENT_SECRET are set. */
  zoho: ZohoConnection | null;
  producer(): Promise<SyncProducer>;
  /** Prints one line of the command's answer. */
  say(line: string): void;
}

export function requireZoho(ctx: Context): ZohoConnection {
  if (!ctx.zoho) throw new CliError(NOT_CONFIGURED.message);
  return ctx.zoho;
}

/** The context of one command, and how to close what it opened. */
export function openContext(config: CliConfig): { ctx: Context; close(): Promise<void> } {
  const opened: Array<() => unknown> = [];
  const db = createDb({ url: config.SUPABASE_URL, serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY });
  // A plain client (the API's fails fast while connecting, which a one-shot command always is).
  const redis = createRedisClient(config, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {});
  opened.push(() => redis.disconnect());
  let producer: SyncProducer | undefined;
  const ctx: Context = {
    config,
    db,
    zoho: createZohoConnectionIfConfigured({ settings: config, store: db.tokens, redis }),
    async producer() {
      if (!producer) {
        const p = createSyncProducer({
          redisUrl: config.REDIS_URL,
          clusterNodes: config.REDIS_CLUSTER_NODES,
          prefix: config.REDIS_PREFIX,
        });
        producer = p;
        // forced, then the producer's own connections (on a cluster BullMQ leaves those open)
        opened.push(() =>
          p.queue
            .getBackend()
            .close(true)
            .finally(() => p.close()),
        );
        await p.queue.waitUntilReady();
      }
      return producer;
    },
    say: (line) => console.log(line),
  };
  return {
    ctx,
    async close() {
      await Promise.all(opened.map(async (close) => close())).catch(() => {});
    },
  };
}
