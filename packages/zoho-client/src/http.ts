import ky, { type KyInstance, type Options, TimeoutError } from 'ky';
import { RetryLaterError } from './errors.js';

/**
 * The one ky instance shape used for both the accounts server and the CRM API.
 *
 * - `throwHttpErrors: false`: Zoho puts meaning in bodies (token errors come with HTTP 200, a 400
 *   can carry per-record results), so every response is classified by errors.ts/leads.ts, never
 *   by ky's HTTPError.
 * - Retries inside ky happen ONLY for connection-level failures (fetch threw), never for a status
 *   and never after a timeout: a timed-out request may have been executed by Zoho. Backoff,
 *   429 waits and 5xx retries are the caller's (the BullMQ worker's) business, where they are
 *   visible and bounded. Callers choose `networkRetries` per endpoint: the CRM client allows one
 *   (upsert is idempotent by its duplicate-check field, an update by id by its id), the token endpoint none (every attempt may
 *   count against Zoho's 10-tokens-per-10-minutes limit).
 */

export interface HttpOptions {
  timeoutMs: number;
  networkRetries: number;
  /** Injected fetch (tests, proxies). */
  fetch?: typeof fetch;
}

export function createHttp(options: HttpOptions): KyInstance {
  const kyOptions: Options = {
    timeout: options.timeoutMs,
    throwHttpErrors: false,
    retry: {
      limit: options.networkRetries,
      methods: ['get', 'post', 'put'],
      statusCodes: [],
      // ky retries only thrown errors; with throwHttpErrors off that means network errors and
      // timeouts. Refuse timeouts explicitly (see above).
      shouldRetry: ({ error }) => !(error instanceof TimeoutError),
      backoffLimit: 1000,
    },
    headers: { 'user-agent': 'leadsync-zoho-client' },
  };
  if (options.fetch) kyOptions.fetch = options.fetch;
  return ky.create(kyOptions);
}

export interface HttpResult {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  body: unknown;
}

/** Error codes that mean the request never reached the server, so it cannot have had an effect. */
const CONNECT_FAILURE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export interface TransportErrorDetails {
  /** True when the request certainly did not reach the server (connection refused, DNS failure). */
  notSent: boolean;
  cause?: string;
}

/** Maps whatever fetch/ky threw into RetryLaterError (TIMEOUT or NETWORK_ERROR). */
export function transportError(error: unknown, what: string): RetryLaterError {
  if (error instanceof TimeoutError) {
    const details: TransportErrorDetails = { notSent: false };
    return new RetryLaterError('TIMEOUT', `${what}: no answer within the timeout`, { details, cause: error });
  }
  const code = causeCode(error);
  const details: TransportErrorDetails = { notSent: code !== undefined && CONNECT_FAILURE_CODES.has(code) };
  if (code !== undefined) details.cause = code;
  return new RetryLaterError('NETWORK_ERROR', `${what}: network error${code ? ` (${code})` : ''}`, {
    details,
    cause: error,
  });
}

export function wasNotSent(error: unknown): boolean {
  return (
    error instanceof RetryLaterError &&
    typeof error.details === 'object' &&
    error.details !== null &&
    (error.details as TransportErrorDetails).notSent === true
  );
}

/** Sends a request and reads the whole body; transport failures become RetryLaterError. */
export async function send(
  http: KyInstance,
  url: string,
  options: Options & { method: 'get' | 'post' | 'put' },
  what: string,
): Promise<HttpResult> {
  let response: Response;
  let text: string;
  try {
    response = await http(url, options);
    // 204 must not be parsed (Zoho may still send a JSON content-type with it).
    text = response.status === 204 ? '' : await response.text();
  } catch (error) {
    throw transportError(error, what);
  }
  let body: unknown;
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  return { status: response.status, headers: response.headers, body };
}
