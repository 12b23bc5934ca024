import { z } from 'zod';
import {
  ConcurrencyLimitError,
  CreditsExhaustedError,
  FixConfigError,
  ReAuthenticateError,
  RejectedRequestError,
  RetryLaterError,
  type ZohoError,
} from './errors.js';
import { causeOf429, type RateLimitWaitOptions } from './limits.js';

/**
 * A CRM API answer → the request-level error typed by what the caller must do (errors.ts), or
 * null when its body is to be read as per-record results (record-result.ts). Pure, so every rule
 * below is unit-tested with the literal bodies Zoho sends.
 */

/** Every option concerns the cause of a 429 and the wait after it (limits.ts). */
export type CrmClassifyOptions = RateLimitWaitOptions;

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
    // One code for two causes; the credits Zoho reports tell them apart (limits.ts causeOf429).
    const cause = causeOf429(options);
    if (cause.kind === 'credits') {
      const message = describe(`Zoho API credits used up (${cause.creditsRemaining} left)`);
      return new CreditsExhaustedError(code, message, cause.resetAt, cause.creditsRemaining, { status });
    }
    const left = cause.creditsRemaining === null ? 'over half the day' : String(cause.creditsRemaining);
    const message = describe(`Zoho concurrency limit: too many calls in flight (credits left: ${left})`);
    return new ConcurrencyLimitError(code, message, cause.retryAt, cause.creditsRemaining, { status });
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
