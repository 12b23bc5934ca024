/**
 * @leadsync/zoho-client — everything in leadsync that speaks to Zoho CRM.
 *
 * Wiring (worker / api):
 *   const key = parseEncryptionKey(env.TOKEN_ENCRYPTION_KEY);            // FixConfigError on a bad key
 *   const oauth = createOAuthClient({ accountsUrl, clientId, clientSecret, redirectUri });
 *   const tokenManager = createTokenManager({ store, oauth, redis, encryptionKey: key, defaultApiDomain });
 *   const zoho = createZohoClient({ tokenManager, apiDomain });
 *   const results = await zoho.upsertLeads(leads.map((l) => toZohoLead(l, mapping)));
 */

// The email rule lives in @leadsync/lead; re-exported because the mapping applies it.
export { normalizeEmail } from '@leadsync/lead';
export { type CrmClassifyOptions, classifyCrmResponse } from './classify.js';
export { createZohoConnection, type ZohoConnection, type ZohoConnectionSettings } from './connection.js';
export { decryptSecret, encryptSecret, fingerprintSecret, parseEncryptionKey } from './crypto.js';
export {
  type DataCenter,
  dataCenterForAccountsServer,
  dataCenterForLocation,
  dataCenters,
  normalizeOrigin,
  resolveAccountsServer,
} from './data-centers.js';
export {
  FixConfigError,
  isZohoError,
  ReAuthenticateError,
  ReAuthorizeError,
  RejectedRequestError,
  RetryLaterError,
  WaitUntilError,
  ZohoError,
  type ZohoErrorAction,
} from './errors.js';
export {
  createZohoClient,
  MAX_RECORDS_PER_CALL,
  type SearchLeadsQuery,
  type UpsertFailure,
  type UpsertResult,
  type UpsertSuccess,
  type ZohoClient,
  type ZohoClientConfig,
  type ZohoLeadRecord,
  type ZohoRecordUpdate,
} from './leads.js';
export { DEFAULT_429_WAIT_MS, resetTimeFromHeaders, ZOHO_TOKEN_WINDOW_MS } from './limits.js';
export {
  DEFAULT_LEAD_MAPPING,
  type DuplicateCheckFields,
  duplicateCheckFieldsFor,
  type LeadMapping,
  type MappableLead,
  normalizePhone,
  parseLeadMapping,
  renderTranscript,
  splitName,
  type TranscriptMessage,
  toZohoLead,
  truncate,
  ZOHO_LEAD_FIELD_LIMITS,
} from './mapping.js';
export { leadMappingFromEnv } from './mapping-config.js';
export {
  buildConsentUrl,
  type ConsentUrlParams,
  createOAuthClient,
  DEFAULT_SCOPES,
  type OAuthClient,
  type OAuthClientConfig,
  type TokenGrant,
} from './oauth.js';
export { classifyRecordResult } from './record-result.js';
export {
  type AccessCredentials,
  createTokenManager,
  DEFAULT_REFRESH_LIMIT,
  effectiveMargin,
  isRefreshFailing,
  MAX_MARGIN_SHARE,
  needsReauthorization,
  REVOKED_REFRESH_TOKEN_CODE,
  type RedisLike,
  type RefreshHistory,
  type RefreshLimit,
  type TokenManager,
  type TokenManagerConfig,
  type TokenStatus,
} from './token-manager/index.js';
export {
  classifyTokenResponse,
  type GrantType,
  type ParsedTokenGrant,
  type TokenClassification,
} from './token-response.js';
export {
  InMemoryTokenStore,
  type RefreshedTokens,
  type RefreshFailure,
  type StoredTokens,
  type TokenStore,
} from './token-store.js';
