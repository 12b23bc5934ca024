import { z } from 'zod';
import { normalizeOrigin } from './data-centers.js';
import { FixConfigError, ReAuthorizeError, RetryLaterError, WaitUntilError, type ZohoError } from './errors.js';
import { ZOHO_TOKEN_WINDOW_MS } from './limits.js';

/**
 * Zoho's token endpoint answer (exchange or refresh) → a grant, or the error typed by what the
 * caller must do (errors.ts). Pure, so each rule is unit-tested with the literal bodies Zoho sends.
 */

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
 * is decided by the presence of `access_token`, never by the status (docs/zoho-crm.md §2.4, §10.4).
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
