import { canonicalEmail, duplicateCheckFieldsFor } from '@leadsync/lead';
import type { KyInstance, Options } from 'ky';
import { type CrmClassifyOptions, classifyCrmResponse } from './classify.js';
import { normalizeOrigin } from './data-centers.js';
import { FixConfigError, ReAuthenticateError, RejectedRequestError, RetryLaterError } from './errors.js';
import { createHttp, type HttpResult, send } from './http.js';
import { callCost, creditsRemainingFromHeaders } from './limits.js';
import { classifyRecordResult, type UpsertFailure, type UpsertResult } from './record-result.js';
import type { AccessCredentials, TokenManager } from './token-manager/index.js';

/**
 * The CRM side: upsert, update by id and search Leads with the access token the token manager hands out.
 *
 * Retry policy (documented here because the caller depends on it):
 * - 401 INVALID_TOKEN / AUTHENTICATION_FAILURE: the token is invalidated, ONE refresh happens
 *   (shared by every concurrent caller, in every process) and the request is retried ONCE.
 * - Connection-level failures: ky retries once (`networkRetries`, default 1). Safe for upsert
 *   because it is idempotent on its duplicate-check field, and for an update by id (the same values
 *   written to the same record again); never on timeouts (Zoho may be
 *   executing the first attempt).
 * - Everything else (429, 5xx, timeouts) is thrown as a typed error at once; backoff with jitter
 *   belongs to the worker, which sees the whole queue.
 */

export const MAX_RECORDS_PER_CALL = 100;

export type { UpsertFailure, UpsertResult, UpsertSuccess } from './record-result.js';

/**
 * The result of a record Zoho's answer has no entry for: a retryable failure rather than a guess,
 * since the record may or may not have been written (upsert and update by id are both safe to
 * send again). The one definition, for this client's answers and for any caller holding fewer
 * results than records.
 */
export function missingResult(): UpsertFailure {
  return { ok: false, code: 'MISSING_RESULT', message: 'Zoho returned no result for this record', retryable: true };
}

/** A record for updateLeads: the Zoho record's id and the fields to write to it. */
export type ZohoRecordUpdate = Record<string, unknown> & { id: string };

export interface ZohoClientConfig {
  tokenManager: Pick<TokenManager, 'getCredentials' | 'invalidate'>;
  /** ZOHO_API_DOMAIN: used only if the token manager has none (the token response's api_domain wins). */
  apiDomain?: string;
  /** Default v8. */
  apiVersion?: string;
  /** Per request; default 15 s. */
  timeoutMs?: number;
  /** Connection-level retries inside the client; default 1. */
  networkRetries?: number;
  /**
   * Zoho automations to run (`trigger`, docs/zoho-crm.md §10.2). Default: omitted, so the org's workflows and
   * assignment rules run as for a lead typed in by hand. `[]` runs none.
   */
  trigger?: string[];
  /** 429 handling knobs: the wait after used-up credits (ZOHO_CREDITS_PROBE_EVERY), jitter (tests). */
  rateLimit?: Pick<CrmClassifyOptions, 'creditsProbeMs' | 'random'>;
  /**
   * Called with X-API-CREDITS-REMAINING of EVERY CRM answer, success or error (remaining null: no
   * header, i.e. under half the day's credits used). The worker's Zoho pressure control listens.
   */
  onCredits?: (reading: ZohoCreditsReading) => void;
  fetch?: typeof fetch;
}

/** The org's API credits as one Zoho answer reported them. */
export interface ZohoCreditsReading {
  /** null: Zoho sent no X-API-CREDITS-REMAINING, which it does only once half the day's credits are used. */
  remaining: number | null;
  at: Date;
}

export type SearchLeadsQuery = { email: string } | { phone: string };

export interface ZohoLeadRecord {
  id: string;
  [field: string]: unknown;
}

export interface ZohoClient {
  /**
   * Upserts up to 100 records; one result per input, in input order. Records are sent in at most
   * two calls: those with an Email (duplicate check on Email) and those without (on Phone), because
   * Zoho takes one `duplicate_check_fields` list per call and listing both would let an email lead
   * be merged into another person's record through a shared phone number.
   *
   * Request-level failures throw the typed errors (RetryLater, WaitUntil, ReAuthorize, FixConfig),
   * even when the other group already went through — upsert is idempotent, so the caller may resend
   * the whole batch. A group Zoho rejects as a malformed request (4xx without per-record results)
   * yields a non-retryable failure for each of its records instead of failing the batch.
   *
   * Phone as a duplicate-check field needs Phone marked unique in the Zoho org (docs/zoho-crm.md §5). Where Zoho
   * refuses it, email-less records fall back to Zoho's default check (Email) — they are inserted —
   * and the client stops asking for Phone.
   */
  upsertLeads(records: Record<string, unknown>[], options?: { trigger?: string[] }): Promise<UpsertResult[]>;
  /**
   * Zoho's update by id: up to 100 records, each written to the record its `id` names and to no
   * other (nothing is matched by Email or Phone; fields not sent are kept). One result per input,
   * in input order, typed and classified as upsertLeads' (successes are `action: 'update'`).
   * An id that is no longer in Leads (deleted, merged or converted) is a failure with
   * `recordGone: true`; what to do then is the caller's decision. Errors thrown as for upsertLeads.
   */
  updateLeads(records: ZohoRecordUpdate[], options?: { trigger?: string[] }): Promise<UpsertResult[]>;
  /** Zoho's search by email/phone (all email or phone fields). No match (HTTP 204) → []. */
  searchLeads(query: SearchLeadsQuery): Promise<ZohoLeadRecord[]>;
}

function isPhoneDedupeRefusal(error: RejectedRequestError, fields: string[]): boolean {
  const apiName = (error.details as { api_name?: unknown } | undefined)?.api_name;
  return fields.includes('Phone') && error.code === 'INVALID_DATA' && apiName === 'duplicate_check_fields';
}

export function createZohoClient(config: ZohoClientConfig): ZohoClient {
  const apiVersion = config.apiVersion ?? 'v8';
  if (!/^v\d+(\.\d+)?$/.test(apiVersion))
    throw new FixConfigError('INVALID_API_VERSION', `Zoho API version "${apiVersion}" is not like v8`);
  const httpOptions = { timeoutMs: config.timeoutMs ?? 15_000, networkRetries: config.networkRetries ?? 1 };
  const http: KyInstance = createHttp(config.fetch ? { ...httpOptions, fetch: config.fetch } : httpOptions);
  const tokenManager = config.tokenManager;
  let phoneDedupeRefused = false;
  // the last reading, for a 429 that carries no header (limits.ts causeOf429); an hour old is no knowledge
  let lastCredits: ZohoCreditsReading | null = null;
  const knownCredits = (): number | null =>
    lastCredits && Date.now() - lastCredits.at.getTime() < 3_600_000 ? lastCredits.remaining : null;

  function prefixFor(credentials: AccessCredentials): string {
    const domain =
      normalizeOrigin(credentials.apiDomain) ?? (config.apiDomain ? normalizeOrigin(config.apiDomain) : null);
    if (domain === null) throw new FixConfigError('INVALID_API_DOMAIN', 'no valid Zoho API domain is known');
    return `${domain}/crm/${apiVersion}`;
  }

  /** One CRM call with the 401 → refresh → retry-once rule; returns the response to read. */
  async function call(
    path: string,
    options: Options & { method: 'get' | 'post' | 'put' },
    what: string,
    records?: number,
  ): Promise<HttpResult> {
    for (let attempt = 1; ; attempt += 1) {
      const credentials = await tokenManager.getCredentials();
      const result = await send(
        http,
        path,
        {
          ...options,
          prefixUrl: prefixFor(credentials),
          headers: { authorization: `Zoho-oauthtoken ${credentials.accessToken}` },
        },
        what,
      );
      const remaining = creditsRemainingFromHeaders(result.headers);
      const knownBefore = knownCredits();
      // only answers that came from Zoho's CRM carry credits; a missing header there means plenty
      lastCredits = { remaining, at: new Date() };
      try {
        config.onCredits?.(lastCredits);
      } catch {
        // an observer must never fail a call
      }
      const error = classifyCrmResponse(result.status, result.body, {
        headers: result.headers,
        callCost: callCost(records),
        knownCreditsRemaining: knownBefore,
        ...config.rateLimit,
      });
      if (error === null) return result;
      if (error instanceof ReAuthenticateError) {
        tokenManager.invalidate(credentials.accessToken);
        if (attempt === 1) continue;
        // A token minted a moment ago was refused again: not a token problem we can fix by
        // refreshing more (that would only burn the refresh budget).
        throw new RetryLaterError(error.code, `${error.message} (again, right after a token refresh)`, {
          status: error.status,
          details: error.details,
          cause: error,
        });
      }
      throw error;
    }
  }

  /**
   * One write call whose answer is one result per record. A request Zoho rejects as malformed (4xx
   * without per-record results) yields a non-retryable failure for each record instead of failing
   * the batch; `onRejected` may answer such a rejection differently.
   */
  async function writeRecords(
    records: Record<string, unknown>[],
    request: { path: string; method: 'post' | 'put'; body: Record<string, unknown>; what: string },
    operation: 'upsert' | 'update',
    onRejected?: (error: RejectedRequestError) => Promise<UpsertResult[]> | null,
  ): Promise<UpsertResult[]> {
    let result: HttpResult;
    try {
      result = await call(request.path, { method: request.method, json: request.body }, request.what, records.length);
    } catch (error) {
      if (error instanceof RejectedRequestError) {
        return (
          onRejected?.(error) ??
          records.map(() => ({ ok: false, code: error.code, message: error.message, retryable: false }))
        );
      }
      throw error;
    }
    const data = (result.body as { data?: unknown } | undefined)?.data;
    const items = Array.isArray(data) ? data : [];
    // Zoho answers in input order, one entry per record (docs/zoho-crm.md §4.2).
    return records.map(
      (_, i): UpsertResult => (i < items.length ? classifyRecordResult(items[i], operation) : missingResult()),
    );
  }

  function upsertGroup(
    records: Record<string, unknown>[],
    duplicateCheckFields: string[],
    trigger: string[] | undefined,
  ): Promise<UpsertResult[]> {
    const body: Record<string, unknown> = { data: records, duplicate_check_fields: duplicateCheckFields };
    if (trigger !== undefined) body.trigger = trigger;
    const request = { path: 'Leads/upsert', method: 'post' as const, body, what: 'Zoho Leads upsert' };
    return writeRecords(records, request, 'upsert', (error) => {
      if (!isPhoneDedupeRefusal(error, duplicateCheckFields)) return null;
      // Zoho accepts only Email and fields marked "Do not allow duplicate values" here (docs/zoho-crm.md §5). In an
      // org where Phone is not unique, email-less leads are upserted on Zoho's default (Email),
      // i.e. inserted. Remembered so later batches do not pay for the refused call again.
      phoneDedupeRefused = true;
      return upsertGroup(records, ['Email'], trigger);
    });
  }

  function checkBatchSize(records: unknown[], what: string): void {
    if (records.length > MAX_RECORDS_PER_CALL) {
      throw new RejectedRequestError(
        'TOO_MANY_RECORDS',
        `${what} takes at most ${MAX_RECORDS_PER_CALL} records, got ${records.length}`,
      );
    }
  }

  return {
    async upsertLeads(records, options = {}) {
      if (records.length === 0) return [];
      checkBatchSize(records, 'upsertLeads');
      const trigger = options.trigger ?? config.trigger;
      const groups = new Map<string, number[]>();
      records.forEach((record, index) => {
        const fields: string[] = duplicateCheckFieldsFor(record);
        const key = phoneDedupeRefused && fields[0] === 'Phone' ? 'Email' : fields.join(',');
        const indexes = groups.get(key) ?? [];
        indexes.push(index);
        groups.set(key, indexes);
      });
      const results: UpsertResult[] = new Array(records.length);
      // Sequential on purpose: batches over 10 records count against Zoho's sub-concurrency of 10.
      for (const [key, indexes] of groups) {
        const groupResults = await upsertGroup(
          indexes.map((i) => records[i] as Record<string, unknown>),
          key.split(','),
          trigger,
        );
        indexes.forEach((recordIndex, i) => {
          results[recordIndex] = groupResults[i] as UpsertResult;
        });
      }
      return results;
    },

    async updateLeads(records, options = {}) {
      if (records.length === 0) return [];
      checkBatchSize(records, 'updateLeads');
      for (const record of records) {
        if (typeof record.id !== 'string' || record.id === '') {
          throw new RejectedRequestError('MISSING_RECORD_ID', 'updateLeads needs the Zoho record id of every record');
        }
      }
      const trigger = options.trigger ?? config.trigger;
      const body: Record<string, unknown> = { data: records };
      if (trigger !== undefined) body.trigger = trigger;
      return writeRecords(records, { path: 'Leads', method: 'put', body, what: 'Zoho Leads update' }, 'update');
    },

    async searchLeads(query) {
      const searchParams: Record<string, string> =
        'email' in query ? { email: canonicalEmail(query.email) } : { phone: query.phone.trim() };
      const result = await call('Leads/search', { method: 'get', searchParams }, 'Zoho Leads search');
      // 204 = no match (and no body to parse, docs/zoho-crm.md §6).
      if (result.status === 204) return [];
      const data = (result.body as { data?: unknown } | undefined)?.data;
      if (!Array.isArray(data)) return [];
      return data.filter(
        (item): item is ZohoLeadRecord =>
          item !== null && typeof item === 'object' && typeof (item as { id?: unknown }).id === 'string',
      );
    },
  };
}
