import type { Db } from '@leadsync/db';
import { createSyncMetricsRecorder } from '@leadsync/operations';
import type { RedisClient } from '@leadsync/queue';
import {
  createZohoClient,
  createZohoConnection,
  leadMappingFromEnv,
  type TokenManager,
  toZohoLead,
  type ZohoCreditsReading,
} from '@leadsync/zoho-client';
import type { WorkerConfig } from './config.js';
import type { ZohoLeadsPort } from './sync/sync-batch.js';

export interface WorkerZoho {
  tokens: TokenManager;
  leads: ZohoLeadsPort;
  /** Registers the listener of every Zoho answer's credits (the worker's Zoho pressure control). */
  observeCredits?(listener: (reading: ZohoCreditsReading) => void): void;
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
  let creditsListener: ((reading: ZohoCreditsReading) => void) | undefined;
  const client = createZohoClient({
    tokenManager: tokens,
    apiDomain: config.ZOHO_API_DOMAIN,
    apiVersion: config.ZOHO_API_VERSION,
    timeoutMs: config.ZOHO_TIMEOUT_MS,
    rateLimit: { creditsProbeMs: config.ZOHO_CREDITS_PROBE_EVERY },
    onCredits: (reading) => creditsListener?.(reading),
  });
  const mapping = leadMappingFromEnv(env);
  return {
    tokens,
    observeCredits(listener) {
      creditsListener = listener;
    },
    leads: {
      toZohoLead: (lead) => toZohoLead(lead, mapping),
      upsertLeads: (records) => client.upsertLeads(records),
      updateLeads: (records) => client.updateLeads(records),
    },
  };
}
