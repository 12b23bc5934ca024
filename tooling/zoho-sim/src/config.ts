import type { FieldSpec } from './fields.js';

export interface SimClient {
  clientId: string;
  clientSecret: string;
  /** Exact-match list as in Zoho's API console; empty = any http(s) URI is accepted (simulator convenience). */
  redirectUris: string[];
}

export interface Throttle {
  max: number;
  windowMs: number;
}

/** An extra data centre served on its own port, so tests can exercise the `accounts-server`/`api_domain` hops. */
export interface DataCenterOption {
  location: string;
  port?: number;
}

export interface ZohoSimOptions {
  port?: number;
  host?: string;
  latencyMs?: number;
  jitterMs?: number;
  /** Latency for the accounts endpoints (token, revoke); Zoho's token endpoint is not instant either. */
  accountsLatencyMs?: number;
  accessTokenTtlSeconds?: number;
  concurrencyLimit?: number;
  /** Zoho's sub-concurrency for "complex" calls: insert/upsert with more than 10 records. */
  subConcurrencyLimit?: number;
  dailyCredits?: number;
  clients?: SimClient[];
  uniqueEmail?: boolean;
  /** User-defined unique fields ("Do not allow duplicate values"); they may appear in `duplicate_check_fields`. */
  uniqueFields?: string[];
  mandatoryFields?: string[];
  /** Custom fields of the simulated org (e.g. UTM fields), on top of the standard Leads fields. */
  extraFields?: Record<string, FieldSpec>;
  /** Unknown field API names are rejected with INVALID_DATA (Zoho's documented behaviour); false = ignore them. */
  strictFieldNames?: boolean;
  /** 'wrap' = v8's MULTIPLE_OR_MULTI_ERRORS when a record has several problems; 'first' = older versions. */
  multipleErrors?: 'wrap' | 'first';
  /** Extra data centres besides the main one (which is 'us'). Strings are locations on ephemeral ports. */
  dataCenters?: Array<string | DataCenterOption>;
  /** Data centre of the user who consents; when not 'us', the consent redirect names that DC's accounts server. */
  userLocation?: string;
  consent?: 'approve' | 'deny';
  grantCodeTtlSeconds?: number;
  grantThrottle?: Throttle;
  refreshThrottle?: Throttle;
  /** HTTP status of the "Access Denied" throttle body: Kaizen #43 says 200, one third party saw 400. */
  throttleStatus?: number;
  maxActiveAccessTokens?: number;
  maxRefreshTokens?: number;
  /** Records created or edited become visible to search only after this delay (Zoho's indexing lag). */
  searchIndexDelayMs?: number;
  /** Offset of the simulated user's time zone, used for every datetime the simulator prints. */
  timeZoneOffsetMinutes?: number;
  /** Whether the CRM also accepts `Authorization: Bearer …` (unconfirmed for Zoho; off = stricter). */
  acceptBearer?: boolean;
}

export type SimConfig = Required<Omit<ZohoSimOptions, 'port' | 'host' | 'dataCenters'>>;

export const DEFAULT_CLIENT: SimClient = {
  clientId: 'sim-client-id',
  clientSecret: 'sim-client-secret',
  redirectUris: [],
};

export const DEFAULT_SCOPE = 'ZohoCRM.modules.leads.ALL,ZohoSearch.securesearch.READ';

export function resolveConfig(options: ZohoSimOptions): SimConfig {
  return {
    latencyMs: options.latencyMs ?? 0,
    jitterMs: options.jitterMs ?? 0,
    accountsLatencyMs: options.accountsLatencyMs ?? 0,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    concurrencyLimit: options.concurrencyLimit ?? 10,
    subConcurrencyLimit: options.subConcurrencyLimit ?? 10,
    dailyCredits: options.dailyCredits ?? 50_000,
    clients: options.clients?.map((c) => ({ ...c, redirectUris: [...c.redirectUris] })) ?? [{ ...DEFAULT_CLIENT }],
    uniqueEmail: options.uniqueEmail ?? true,
    uniqueFields: options.uniqueFields ?? [],
    mandatoryFields: options.mandatoryFields ?? ['Last_Name'],
    extraFields: options.extraFields ?? {},
    strictFieldNames: options.strictFieldNames ?? true,
    multipleErrors: options.multipleErrors ?? 'wrap',
    userLocation: options.userLocation ?? 'us',
    consent: options.consent ?? 'approve',
    grantCodeTtlSeconds: options.grantCodeTtlSeconds ?? 120,
    grantThrottle: options.grantThrottle ?? { max: 10, windowMs: 10 * 60_000 },
    refreshThrottle: options.refreshThrottle ?? { max: 10, windowMs: 10 * 60_000 },
    throttleStatus: options.throttleStatus ?? 200,
    maxActiveAccessTokens: options.maxActiveAccessTokens ?? 15,
    maxRefreshTokens: options.maxRefreshTokens ?? 20,
    searchIndexDelayMs: options.searchIndexDelayMs ?? 0,
    timeZoneOffsetMinutes: options.timeZoneOffsetMinutes ?? 0,
    acceptBearer: options.acceptBearer ?? false,
  };
}
