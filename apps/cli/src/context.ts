import { createDb, type Db } from '@leadsync/db';
import {
  type AttentionQueues,
  createAttentionQueues,
  createRedisClient,
  createRedisConnections,
  createSyncProducer,
  type SyncProducer,
} from '@leadsync/queue';
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
  /** lead-attention and lead-spam: a lead the CLI retries leaves them. */
  attention(): Promise<AttentionQueues>;
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
  let attention: AttentionQueues | undefined;
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
    async attention() {
      if (!attention) {
        const connections = createRedisConnections(config);
        const a = createAttentionQueues(connections.bullmq('fail-fast'), config.REDIS_PREFIX);
        attention = a;
        // forced, then the connections themselves (on a cluster BullMQ leaves those open)
        opened.push(() =>
          Promise.all([a.failed, a.spam].map((q) => q.getBackend().close(true))).finally(() => connections.close(true)),
        );
        await Promise.all([a.failed.waitUntilReady(), a.spam.waitUntilReady()]);
      }
      return attention;
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
