/**
 * @leadsync/zoho-client — everything in leadsync that speaks to Zoho CRM.
 *
 * Onboarding (api / cli): onboarding/connect.ts exchanges a grant code and stores it; the signed
 * OAuth `state` and the failure descriptions every surface shows are beside it.
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
export {
  createZohoConnection,
  createZohoConnectionIfConfigured,
  type OptionalZohoConnectionSettings,
  type ZohoConnection,
  type ZohoConnectionSettings,
} from './connection.js';
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
  ConcurrencyLimitError,
  CreditsExhaustedError,
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
  missingResult,
  type SearchLeadsQuery,
  type UpsertFailure,
  type UpsertResult,
  type UpsertSuccess,
  type ZohoClient,
  type ZohoClientConfig,
  type ZohoCreditsReading,
  type ZohoLeadRecord,
  type ZohoRecordUpdate,
} from './leads.js';
export {
  CONCURRENCY_RETRY_MS,
  CREDITS_PROBE_MAX_FACTOR,
  CREDITS_REMAINING_HEADER,
  callCost,
  causeOf429,
  creditsRemainingFromHeaders,
  DEFAULT_CREDITS_PROBE_MS,
  resetTimeFromHeaders,
  type TooManyRequestsCause,
  ZOHO_TOKEN_WINDOW_MS,
} from './limits.js';
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
export { type ConnectZohoInput, connectZoho, type ZohoConnected } from './onboarding/connect.js';
export {
  describeOnboardingError,
  NOT_CONFIGURED,
  type OnboardingContext,
  type OnboardingFailure,
  type OnboardingFailureKind,
} from './onboarding/failures.js';
export {
  issueState,
  nonceMatches,
  STATE_TTL_MS,
  STATE_VERSION,
  type StateChannel,
  type StateCheck,
  type StatePayload,
  stateKey,
  verifyState,
} from './onboarding/state.js';
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
