/**
 * Errors typed by what the caller must do, not by what went wrong on the wire.
 *
 * The worker needs exactly one decision per failure: retry with backoff, wait until a known time,
 * page a human to re-authorise, page a human to fix configuration, or drop the request as sent.
 * Every error carries Zoho's own `code` (or one of ours in UPPER_SNAKE when Zoho gave none) so
 * logs, `sync_attempts` and alerts can show exactly what Zoho said.
 *
 * Messages never contain tokens, secrets or codes: they end up in logs and in the database.
 *
 * A record Zoho rejects inside a batch is NOT an exception: it is an `UpsertFailure` result value
 * (record-result.ts), so one bad record never hides the 99 good ones.
 */

export type ZohoErrorAction = 'retry_later' | 'wait_until' | 're_authorize' | 'fix_config' | 'rejected_request';

export interface ZohoErrorOptions {
  /** HTTP status of the response that caused it, when there was one. */
  status?: number;
  /** Zoho's `details` object (or the token endpoint's `error_description`), secrets excluded. */
  details?: unknown;
  cause?: unknown;
}

export abstract class ZohoError extends Error {
  abstract readonly action: ZohoErrorAction;
  readonly code: string;
  readonly status: number | undefined;
  readonly details: unknown;

  constructor(code: string, message: string, options: ZohoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status;
    this.details = options.details;
  }
}

/** Transient: network error, timeout, 5xx, an unreadable answer. Retry with backoff. */
export class RetryLaterError extends ZohoError {
  readonly action = 'retry_later' as const;
}

/** Rate limited (Zoho's 429, or our own refresh throttle): do not call again before `resetAt`. */
export class WaitUntilError extends ZohoError {
  readonly action = 'wait_until' as const;
  readonly resetAt: Date;

  constructor(code: string, message: string, resetAt: Date, options: ZohoErrorOptions = {}) {
    super(code, message, options);
    this.resetAt = resetAt;
  }
}

/**
 * Zoho's 429 while the org still has API credits: too many calls were in flight at once (the
 * edition's concurrency, or the sub-concurrency of 10 for writes of more than 10 records,
 * docs/zoho-crm.md §8). Nothing was processed. Send the same call again shortly, with fewer calls
 * in flight across the deployment; it says nothing about the records, so it costs them no attempt.
 */
export class ConcurrencyLimitError extends RetryLaterError {
  /** When this call may go again, by Zoho's own header if it ever sends one, else about a second. */
  readonly retryAt: Date;
  /** X-API-CREDITS-REMAINING of the 429, or null when Zoho sent none (under half the day used). */
  readonly creditsRemaining: number | null;

  constructor(
    code: string,
    message: string,
    retryAt: Date,
    creditsRemaining: number | null,
    options: ZohoErrorOptions = {},
  ) {
    super(code, message, options);
    this.retryAt = retryAt;
    this.creditsRemaining = creditsRemaining;
  }
}

/**
 * Zoho's 429 with the org's API credits used up (X-API-CREDITS-REMAINING below what the call
 * costs). Credits come back only as the rolling 24-hour window frees them, so `resetAt` is an
 * estimate (docs/zoho-crm.md §8): nothing is worth sending before it.
 */
export class CreditsExhaustedError extends WaitUntilError {
  readonly creditsRemaining: number;

  constructor(code: string, message: string, resetAt: Date, creditsRemaining: number, options: ZohoErrorOptions = {}) {
    super(code, message, resetAt, options);
    this.creditsRemaining = creditsRemaining;
  }
}

/**
 * The refresh token (or grant code) is no longer accepted: a person must go through the consent
 * screen again. Retrying cannot help and only burns Zoho's token-creation budget.
 */
export class ReAuthorizeError extends ZohoError {
  readonly action = 're_authorize' as const;
}

/**
 * Something only an operator can fix: wrong client id/secret/redirect URI, wrong data centre,
 * missing scope or CRM permission, an unusable TOKEN_ENCRYPTION_KEY, a bad mapping file.
 */
export class FixConfigError extends ZohoError {
  readonly action = 'fix_config' as const;
}

/**
 * Zoho (or this library, before sending) refused the request itself as malformed; sending it
 * again unchanged gives the same answer. Also used for an untrusted `accounts-server` value.
 */
export class RejectedRequestError extends ZohoError {
  readonly action = 'rejected_request' as const;
}

/**
 * 401 INVALID_TOKEN / AUTHENTICATION_FAILURE from the CRM API. The client handles it itself
 * (invalidate, refresh once, retry once), so callers only ever see it if they classify responses
 * themselves; a second 401 right after a fresh token surfaces as RetryLaterError.
 */
export class ReAuthenticateError extends ZohoError {
  readonly action = 'retry_later' as const;
}

export function isZohoError(value: unknown): value is ZohoError {
  return value instanceof ZohoError;
}
