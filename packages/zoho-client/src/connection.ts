import { parseEncryptionKey } from './crypto.js';
import { createOAuthClient, type OAuthClient } from './oauth.js';
import {
  createTokenManager,
  type RedisLike,
  type TokenManager,
  type TokenManagerConfig,
} from './token-manager/index.js';
import type { TokenStore } from './token-store.js';

/**
 * The settings a Zoho connection is built from, named as the environment names them so each app
 * can pass its validated config as it is (and the two apps cannot drift apart in the mapping).
 */
export interface ZohoConnectionSettings {
  ZOHO_CLIENT_ID: string;
  ZOHO_CLIENT_SECRET: string;
  ZOHO_ACCOUNTS_URL: string;
  ZOHO_API_DOMAIN: string;
  /** Only code exchanges use it; a process that makes none may leave it unset. */
  ZOHO_REDIRECT_URI?: string | undefined;
  /** Accounts servers trusted besides Zoho's data centres and ZOHO_ACCOUNTS_URL. */
  ZOHO_TRUSTED_ACCOUNTS_SERVERS?: readonly string[] | undefined;
  TOKEN_ENCRYPTION_KEY: string;
  /** Every process of a deployment must use the same one: the refresh lock and counter live under it. */
  REDIS_PREFIX: string;
  TOKEN_SAFETY_MARGIN_MS?: number | undefined;
}

export interface ZohoConnection {
  oauth: OAuthClient;
  tokens: TokenManager;
}

/**
 * OAuth client + token manager, wired the one way every leadsync process must wire them: tokens
 * encrypted in the shared store, refreshes serialised and counted under the deployment's Redis
 * prefix. Throws FixConfigError (one line) on a bad encryption key or accounts URL.
 */
export function createZohoConnection(deps: {
  settings: ZohoConnectionSettings;
  store: TokenStore;
  redis: RedisLike;
  onRefresh?: TokenManagerConfig['onRefresh'];
}): ZohoConnection {
  const { settings } = deps;
  const oauth = createOAuthClient({
    accountsUrl: settings.ZOHO_ACCOUNTS_URL,
    clientId: settings.ZOHO_CLIENT_ID,
    clientSecret: settings.ZOHO_CLIENT_SECRET,
    redirectUri: settings.ZOHO_REDIRECT_URI ?? 'http://localhost/auth/zoho/callback',
    trustedAccountsServers: settings.ZOHO_TRUSTED_ACCOUNTS_SERVERS ?? [],
  });
  const tokens = createTokenManager({
    store: deps.store,
    oauth,
    redis: deps.redis,
    encryptionKey: parseEncryptionKey(settings.TOKEN_ENCRYPTION_KEY),
    defaultApiDomain: settings.ZOHO_API_DOMAIN,
    keyPrefix: `${settings.REDIS_PREFIX}:zoho:`,
    safetyMarginMs: settings.TOKEN_SAFETY_MARGIN_MS,
    onRefresh: deps.onRefresh,
  });
  return { oauth, tokens };
}

/** Settings of a process that may run before a Zoho client is configured (the API, the CLI). */
export type OptionalZohoConnectionSettings = Omit<ZohoConnectionSettings, 'ZOHO_CLIENT_ID' | 'ZOHO_CLIENT_SECRET'> & {
  ZOHO_CLIENT_ID?: string | undefined;
  ZOHO_CLIENT_SECRET?: string | undefined;
};

/**
 * The connection of a process that onboards: null until a client is configured, so the API still
 * takes leads without one and onboarding says what to set (NOT_CONFIGURED).
 */
export function createZohoConnectionIfConfigured(deps: {
  settings: OptionalZohoConnectionSettings;
  store: TokenStore;
  redis: RedisLike;
}): ZohoConnection | null {
  const { ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET } = deps.settings;
  if (!ZOHO_CLIENT_ID || !ZOHO_CLIENT_SECRET) return null;
  return createZohoConnection({ ...deps, settings: { ...deps.settings, ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET } });
}
