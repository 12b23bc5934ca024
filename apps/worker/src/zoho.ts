import type { Db } from '@leadsync/db';
import {
  createOAuthClient,
  createTokenManager,
  createZohoClient,
  leadMappingFromEnv,
  parseEncryptionKey,
  type TokenManager,
  toZohoLead,
} from '@leadsync/zoho-client';
import type { Redis } from 'ioredis';
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
  redis: Redis,
  env: NodeJS.ProcessEnv = process.env,
): WorkerZoho {
  const oauth = createOAuthClient({
    accountsUrl: config.ZOHO_ACCOUNTS_URL,
    clientId: config.ZOHO_CLIENT_ID,
    clientSecret: config.ZOHO_CLIENT_SECRET,
    // only code exchanges use it, and the worker makes none
    redirectUri: config.ZOHO_REDIRECT_URI ?? 'http://localhost/auth/zoho/callback',
  });
  const tokens = createTokenManager({
    store: db.tokens,
    oauth,
    redis,
    encryptionKey: parseEncryptionKey(config.TOKEN_ENCRYPTION_KEY),
    defaultApiDomain: config.ZOHO_API_DOMAIN,
    keyPrefix: `${config.REDIS_PREFIX}:zoho:`,
    safetyMarginMs: config.TOKEN_SAFETY_MARGIN_MS,
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
    },
  };
}
