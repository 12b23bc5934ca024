import type { Db } from '@leadsync/db';
import { createSyncMetricsRecorder } from '@leadsync/operations';
import type { RedisClient } from '@leadsync/queue';
import {
  createZohoClient,
  createZohoConnection,
  leadMappingFromEnv,
  type TokenManager,
  toZohoLead,
} from '@leadsync/zoho-client';
import type { WorkerConfig } from './config.js';
import type { ZohoLeadsPort } from './sync/sync-batch.js';

export interface WorkerZoho {
  tokens: TokenManager;
  leads: ZohoLeadsPort;
}

/**
 * The worker's Zoho: tokens kept (encrypted) in the database and refreshed under a Redis lock
 * shared with every other process, and the Leads API that uses them.
 */
export function createWorkerZoho(
  config: WorkerConfig,
  db: Db,
  redis: RedisClient,
  env: NodeJS.ProcessEnv = process.env,
): WorkerZoho {
  const metrics = createSyncMetricsRecorder(redis, config.REDIS_PREFIX);
  // the worker makes no code exchanges, so it needs no ZOHO_REDIRECT_URI
  const { tokens } = createZohoConnection({
    settings: config,
    store: db.tokens,
    redis,
    onRefresh: (r) => metrics.tokenRefresh(r.ok ? 'ok' : 'error'),
  });
  const client = createZohoClient({
    tokenManager: tokens,
    apiDomain: config.ZOHO_API_DOMAIN,
    apiVersion: config.ZOHO_API_VERSION,
    timeoutMs: config.ZOHO_TIMEOUT_MS,
    rateLimit: { default429WaitMs: config.ZOHO_RATE_LIMIT_WAIT_MS },
  });
  const mapping = leadMappingFromEnv(env);
  return {
    tokens,
    leads: {
      toZohoLead: (lead) => toZohoLead(lead, mapping),
      upsertLeads: (records) => client.upsertLeads(records),
      updateLeads: (records) => client.updateLeads(records),
    },
  };
}
