import { z } from 'zod';
import { normalizeOrigin } from './data-centers.js';
import {
  FixConfigError,
  ReAuthenticateError,
  ReAuthorizeError,
  RejectedRequestError,
  RetryLaterError,
  WaitUntilError,
  type ZohoError,
} from './errors.js';

/**
 * Pure classification of Zoho answers into "what the caller must do" (errors.ts). Kept free of I/O
 * so every rule below is unit-tested with the literal bodies from the facts sheet.
 */

// ───────────────────────────── token endpoint ─────────────────────────────

export type GrantType = 'authorization_code' | 'refresh_token';

export interface ParsedTokenGrant {
  accessToken: string;
  /** Only on a first consent with access_type=offline (or prompt=consent); never on refresh. */
  refreshToken: string | null;
  /** Where this account's CRM API lives; persist it with the refresh token. */
  apiDomain: string | null;
  expiresInMs: number;
  scope: string | null;
}

export type TokenClassification = { ok: true; grant: ParsedTokenGrant } | { ok: false; error: ZohoError };

const tokenSuccessSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  api_domain: z.string().optional(),
  expires_in: z.number().positive().optional(),
  expires_in_sec: z.number().positive().optional(),
  scope: z.string().optional(),
});

const tokenErrorSchema = z.object({
  error: z.string(),
  error_description: z.string().optional(),
});

/** Zoho blocks token creation for the rest of a 10-minute window once a limit is exceeded (§2.6). */
export const ZOHO_TOKEN_WINDOW_MS = 10 * 60_000;
const DEFAULT_TOKEN_TTL_MS = 3_600_000;

const CONFIG_TOKEN_ERRORS = new Set([
  'invalid_client',
  'invalid_client_secret',
  'invalid_redirect_uri',
  'unauthorized_client',
  'invalid_scope',
  'invalid_request',
  'unsupported_grant_type',
]);

function isThrottleTokenError(error: string, description: string | undefined): boolean {
  return (
    /^access[ _]?denied$/i.test(error.trim()) || /too many requests|throttle|try again after/i.test(description ?? '')
  );
}

function expiresInMs(body: z.infer<typeof tokenSuccessSchema>): number {
  // Legacy responses sent `expires_in_sec` (seconds) beside `expires_in` in *milliseconds*;
  // current ones send only `expires_in` in seconds. A bare value above a day can only be ms.
  if (body.expires_in_sec !== undefined) return body.expires_in_sec * 1000;
  if (body.expires_in === undefined) return DEFAULT_TOKEN_TTL_MS;
  return body.expires_in > 86_400 ? body.expires_in : body.expires_in * 1000;
}

/**
 * Zoho's token endpoint answers most failures with HTTP 200 and an `{"error": …}` body, so success
 * is decided by the presence of `access_token`, never by the status (facts §2.4, §10.4).
 */
export function classifyTokenResponse(
  body: unknown,
  options: { status?: number; grantType: GrantType; now?: number },
): TokenClassification {
  const status = options.status;
  const now = options.now ?? Date.now();
  const success = tokenSuccessSchema.safeParse(body);
  if (success.success) {
    const data = success.data;
    return {
      ok: true,
      grant: {
        accessToken: data.access_token,
        refreshToken: data.refresh_token ?? null,
        apiDomain: data.api_domain === undefined ? null : normalizeOrigin(data.api_domain),
        expiresInMs: expiresInMs(data),
        scope: data.scope ?? null,
      },
    };
  }
  const errorOptions = status === undefined ? {} : { status };
  const failure = tokenErrorSchema.safeParse(body);
  if (!failure.success) {
    return {
      ok: false,
      error: new RetryLaterError(
        status !== undefined && status >= 500 ? `HTTP_${status}` : 'INVALID_TOKEN_RESPONSE',
        `Zoho token endpoint gave no token and no error code${status === undefined ? '' : ` (HTTP ${status})`}`,
        errorOptions,
      ),
    };
  }
  const code = failure.data.error;
  const description = failure.data.error_description;
  const withDetails = { ...errorOptions, details: description === undefined ? undefined : { description } };
  if (code === 'invalid_code') {
    // The same code means "grant code expired/used" on exchange and "refresh token revoked,
    // deleted or evicted" on refresh; either way only a new consent helps.
    const message =
      options.grantType === 'refresh_token'
        ? 'Zoho refresh token is revoked or invalid (invalid_code): re-authorise the Zoho connection'
        : 'Zoho grant code is invalid, expired or already used (invalid_code): start the consent again';
    return { ok: false, error: new ReAuthorizeError(code, message, withDetails) };
  }
  if (CONFIG_TOKEN_ERRORS.has(code)) {
    const hint =
      code === 'invalid_client'
        ? ' (wrong client id, or the client is not enabled for this data centre)'
        : code === 'invalid_client_secret'
          ? ' (wrong client secret)'
          : code === 'invalid_redirect_uri'
            ? ' (ZOHO_REDIRECT_URI differs from the URI registered in the Zoho API console)'
            : '';
    return {
      ok: false,
      error: new FixConfigError(code, `Zoho token endpoint refused the client: ${code}${hint}`, withDetails),
    };
  }
  if (isThrottleTokenError(code, description)) {
    return {
      ok: false,
      error: new WaitUntilError(
        'ACCESS_DENIED',
        'Zoho throttled token creation for this refresh token/client; keep using cached tokens and wait',
        new Date(now + ZOHO_TOKEN_WINDOW_MS),
        withDetails,
      ),
    };
  }
  // Unknown (possibly localised) error: transient from our side; the refresh throttle bounds how
  // often it can be retried, so Zoho's limits are still respected.
  return {
    ok: false,
    error: new RetryLaterError(code, `Zoho token endpoint returned an unrecognised error: ${code}`, withDetails),
  };
}

// ───────────────────────────── CRM API ─────────────────────────────

export interface CrmClassifyOptions {
  headers?: Headers;
  now?: number;
  /** Returns [0, 1); injectable for tests. */
  random?: () => number;
  /** Wait used when a 429 names no reset time. */
  default429WaitMs?: number;
}

/**
 * Zoho documents no Retry-After for 429 (§8.1): the 429 may mean the 24-hour credit budget or the
 * concurrency cap, and nothing says which. 60 s (+ up to 20 % jitter so a fleet of workers does not
 * come back in lock-step) clears a concurrency burst; for an exhausted budget the caller's growing
 * backoff on repeated 429s takes over.
 */
export const DEFAULT_429_WAIT_MS = 60_000;
const JITTER_FRACTION = 0.2;

const CONFIG_CRM_CODES = new Set([
  'OAUTH_SCOPE_MISMATCH',
  'NO_PERMISSION',
  'AUTHORIZATION_FAILED',
  'INVALID_MODULE',
  'INVALID_URL_PATTERN',
  'API_NOT_SUPPORTED',
  'INVALID_REQUEST_METHOD',
  'NOT_SUPPORTED',
  'FEATURE_NOT_ENABLED',
  'FEATURE_NOT_SUPPORTED',
]);

const REAUTHENTICATE_CODES = new Set(['INVALID_TOKEN', 'AUTHENTICATION_FAILURE']);

const TRANSIENT_CRM_CODES = new Set(['INTERNAL_ERROR', 'ALREADY_MODIFIED', 'RECORD_LOCKED']);

const errorEnvelopeSchema = z.object({
  code: z.string().optional(),
  message: z.string().optional(),
  details: z.unknown().optional(),
});

/** Reads a reset time from Retry-After or the (old-API) X-RATELIMIT-RESET header, if either is there. */
export function resetTimeFromHeaders(headers: Headers | undefined, now: number): Date | null {
  if (!headers) return null;
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null && retryAfter.trim() !== '') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return new Date(now + seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return new Date(Math.max(date, now));
  }
  const reset = headers.get('x-ratelimit-reset');
  if (reset !== null && reset.trim() !== '') {
    const value = Number(reset);
    if (Number.isFinite(value) && value >= 0) {
      if (value > 1e12) return new Date(Math.max(value, now)); // epoch milliseconds
      if (value > 1e9) return new Date(Math.max(value * 1000, now)); // epoch seconds
      return new Date(now + value * 1000); // seconds from now
    }
  }
  return null;
}

function rateLimitError(status: number, code: string, message: string, options: CrmClassifyOptions): WaitUntilError {
  const now = options.now ?? Date.now();
  const fromHeaders = resetTimeFromHeaders(options.headers, now);
  const base = options.default429WaitMs ?? DEFAULT_429_WAIT_MS;
  const random = options.random ?? Math.random;
  const resetAt = fromHeaders ?? new Date(now + base + Math.floor(random() * base * JITTER_FRACTION));
  return new WaitUntilError(code, message, resetAt, { status });
}

function dataItems(body: unknown): unknown[] | null {
  if (!body || typeof body !== 'object' || !Array.isArray((body as { data?: unknown }).data)) return null;
  return (body as { data: unknown[] }).data;
}

/**
 * An entry of `data` that speaks of the request, not of one record: a configuration code, too many
 * records (LIMIT_EXCEEDED), or a problem with the `data` array itself. v8 puts such errors inside
 * `data` where older versions send the bare error object, so the client must read both.
 */
function isRequestLevelItem(item: unknown): boolean {
  const parsed = errorEnvelopeSchema.safeParse(item);
  if (!parsed.success || !parsed.data.code) return false;
  const apiName = (parsed.data.details as { api_name?: unknown } | undefined)?.api_name;
  return CONFIG_CRM_CODES.has(parsed.data.code) || parsed.data.code === 'LIMIT_EXCEEDED' || apiName === 'data';
}

/**
 * Decides whether a CRM answer is a request-level failure. Returns the error to throw, or null
 * when the body is to be read as results (2xx incl. 204/207, and a 400 whose `data` array holds one
 * per-record error per input — Zoho's answer when every record of a batch failed validation).
 */
export function classifyCrmResponse(status: number, body: unknown, options: CrmClassifyOptions = {}): ZohoError | null {
  const envelope = errorEnvelopeSchema.safeParse(body);
  const code = envelope.success && envelope.data.code ? envelope.data.code : `HTTP_${status}`;
  const zohoMessage = envelope.success && envelope.data.message ? envelope.data.message : '';
  const details = envelope.success ? envelope.data.details : undefined;
  const errorOptions = { status, details };
  const describe = (what: string) =>
    `${what}: Zoho answered HTTP ${status} ${code}${zohoMessage ? ` (${zohoMessage})` : ''}`;

  if (status === 429 || code === 'TOO_MANY_REQUESTS') {
    return rateLimitError(status, code, describe('Zoho API rate limit (credits or concurrency)'), options);
  }

  const items = dataItems(body);
  if (items !== null && ((status >= 200 && status < 300) || status === 400)) {
    // When every entry speaks of the request, it is read as the bare error (a 400) it stands for:
    // one entry may answer a batch of a hundred records. Otherwise the entries are record results.
    const [first] = items;
    if (first !== undefined && items.every(isRequestLevelItem)) return classifyCrmResponse(400, first, options);
    return null;
  }
  if (status >= 200 && status < 300) return null;

  if (REAUTHENTICATE_CODES.has(code) || (status === 401 && !CONFIG_CRM_CODES.has(code))) {
    return new ReAuthenticateError(code, describe('Zoho rejected the access token'), errorOptions);
  }
  if (CONFIG_CRM_CODES.has(code) || status === 403 || status === 404) {
    const hint =
      code === 'OAUTH_SCOPE_MISMATCH'
        ? ' — re-authorise with the Leads and search scopes'
        : code === 'NO_PERMISSION'
          ? ' — the Zoho user needs API access and Leads permission'
          : '';
    return new FixConfigError(code, describe('Zoho refused the request') + hint, errorOptions);
  }
  if (status >= 500 || status === 408 || TRANSIENT_CRM_CODES.has(code)) {
    return new RetryLaterError(code, describe('Zoho API temporarily failed'), errorOptions);
  }
  return new RejectedRequestError(code, describe('Zoho rejected the request'), errorOptions);
}

// ───────────────────────────── per-record results ─────────────────────────────

export type UpsertSuccess = {
  ok: true;
  zohoId: string;
  action: 'insert' | 'update';
  /** The field Zoho matched an existing record on (update only). */
  duplicateField?: string;
};

export type UpsertFailure = {
  ok: false;
  code: string;
  message: string;
  /** API name of the offending field, when Zoho named one. */
  field?: string;
  /**
   * False for validation failures (INVALID_DATA, MANDATORY_NOT_FOUND, DUPLICATE_DATA, …): sending
   * the same record again gives the same answer, so mark it failed. True for the rare per-record
   * transient codes (INTERNAL_ERROR, …) and for a result Zoho did not return.
   */
  retryable: boolean;
  /**
   * Update by id only: the id names no record in Leads any more (deleted, merged, or converted
   * into a contact). Zoho documents one answer for all three, so the caller cannot tell them apart.
   */
  recordGone?: true;
  details?: unknown;
};

export type UpsertResult = UpsertSuccess | UpsertFailure;

const TRANSIENT_RECORD_CODES = new Set([
  'INTERNAL_ERROR',
  'TOO_MANY_REQUESTS',
  'ALREADY_MODIFIED',
  'RECORD_LOCKED',
  'MISSING_RESULT',
]);

const recordItemSchema = z.object({
  code: z.string().optional(),
  status: z.string().optional(),
  message: z.string().optional(),
  action: z.string().optional(),
  duplicate_field: z.string().nullable().optional(),
  details: z.unknown().optional(),
});

function apiNameOf(details: unknown): string | undefined {
  if (!details || typeof details !== 'object') return undefined;
  const d = details as { api_name?: unknown; errors?: unknown };
  if (typeof d.api_name === 'string') return d.api_name;
  // MULTIPLE_OR_MULTI_ERRORS wraps several validation failures; name the first field.
  if (Array.isArray(d.errors)) {
    for (const inner of d.errors) {
      const name = apiNameOf(inner && typeof inner === 'object' ? (inner as { details?: unknown }).details : undefined);
      if (name) return name;
    }
  }
  return undefined;
}

/**
 * One item of an insert/upsert/update `data` array → our result value. An update by id answers
 * without `action`: its success is always an update of the record it named.
 */
export function classifyRecordResult(item: unknown, operation: 'upsert' | 'update' = 'upsert'): UpsertResult {
  const parsed = recordItemSchema.safeParse(item);
  if (!parsed.success) {
    return { ok: false, code: 'INVALID_RESULT', message: 'Zoho returned an unreadable result', retryable: true };
  }
  const r = parsed.data;
  const id =
    r.details && typeof r.details === 'object' && typeof (r.details as { id?: unknown }).id === 'string'
      ? (r.details as { id: string }).id
      : undefined;
  if (r.status === 'success' && id !== undefined) {
    const action = operation === 'update' || r.action === 'update' ? 'update' : 'insert';
    const result: UpsertSuccess = { ok: true, zohoId: id, action };
    if (r.duplicate_field) result.duplicateField = r.duplicate_field;
    return result;
  }
  const code = r.code ?? 'UNKNOWN_ERROR';
  const failure: UpsertFailure = {
    ok: false,
    code,
    message: r.message ?? 'record rejected',
    retryable: TRANSIENT_RECORD_CODES.has(code),
  };
  const field = apiNameOf(r.details);
  if (field !== undefined) failure.field = field;
  if (operation === 'update' && code === 'INVALID_DATA' && field === 'id') failure.recordGone = true;
  if (r.details !== undefined) failure.details = r.details;
  return failure;
}
