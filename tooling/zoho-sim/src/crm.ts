import { type Criteria, CriteriaError, matchesCriteria, parseCriteria } from './criteria.js';
import type { Endpoint } from './faults.js';
import { rejectionFor } from './faults.js';
import { EMAIL_FIELDS, type FieldSpec, LEAD_FIELDS, PHONE_FIELDS } from './fields.js';
import { json, type SimResponse } from './http.js';
import { LEADS_MODULE_ID, SIM_USER } from './ids.js';
import { readShape, type StoredLead, successDetails } from './leads.js';
import type { SimState } from './state.js';
import { formatZohoDateTime } from './time.js';
import type { AccessTokenState } from './tokens.js';
import {
  combineRecordErrors,
  parseWriteBody,
  resolveDuplicateCheckFields,
  type ValidationRules,
  validateRecord,
} from './validation.js';
import { CRM_ERRORS, requestErrorBody, type ZohoError, zohoError } from './zoho-bodies.js';

const VERSIONS: ReadonlySet<string> = new Set(['v2', 'v2.1', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8']);
// Top-level CRM resources that are not modules; the simulator does not implement them (404, not INVALID_MODULE).
const NON_MODULE_RESOURCES: ReadonlySet<string> = new Set(['settings', 'org', 'users', 'coql', 'bulk', 'files']);
const SEARCH_MAX_RECORDS = 2000;
const SEARCH_MAX_PER_PAGE = 200;

export type CrmRoute =
  | { kind: 'insert' }
  | { kind: 'upsert' }
  | { kind: 'update' }
  | { kind: 'search' }
  | { kind: 'get'; id: string }
  | { kind: 'error'; status: number; error: ZohoError };

/** Which endpoint a path names (for counters, faults and routing), before any auth. */
export function classifyCrm(
  method: string,
  pathname: string,
): { endpoint: Endpoint; version: string; route: CrmRoute } {
  const m = /^\/crm\/([^/]+)\/([^/]+)(?:\/([^/]+))?\/?$/.exec(pathname);
  const version = m?.[1] ?? '';
  const notFound = {
    endpoint: 'crm_other' as const,
    version,
    route: { kind: 'error' as const, status: 404, error: CRM_ERRORS.invalidUrl() },
  };
  if (!m || !VERSIONS.has(version) || NON_MODULE_RESOURCES.has(m[2]!)) return notFound;
  const [, , module, sub] = m;
  if (module !== 'Leads') {
    return {
      endpoint: 'crm_other',
      version,
      route: { kind: 'error', status: 400, error: CRM_ERRORS.invalidModule() },
    };
  }
  const badMethod = (endpoint: Endpoint) => ({
    endpoint,
    version,
    route: { kind: 'error' as const, status: 400, error: CRM_ERRORS.invalidMethod() },
  });
  if (sub === undefined) {
    if (method === 'POST') return { endpoint: 'insert', version, route: { kind: 'insert' } };
    // Update Records: PUT on the module, each record naming its id.
    if (method === 'PUT') return { endpoint: 'update', version, route: { kind: 'update' } };
    return notFound;
  }
  if (sub === 'upsert')
    return method === 'POST' ? { endpoint: 'upsert', version, route: { kind: 'upsert' } } : badMethod('upsert');
  if (sub === 'search')
    return method === 'GET' ? { endpoint: 'search', version, route: { kind: 'search' } } : badMethod('search');
  if (/^\d{1,19}$/.test(sub!) && method === 'GET')
    return { endpoint: 'get', version, route: { kind: 'get', id: sub! } };
  return notFound;
}

type Operation = 'create' | 'update' | 'read' | 'search';

/** Scope rules from docs/zoho-crm.md §2.8; Zoho compares scopes case-insensitively. */
export function hasScope(scopes: readonly string[], op: Operation): boolean {
  const have = new Set(scopes.map((s) => s.toLowerCase()));
  const any = (...names: string[]) => names.some((n) => have.has(n.toLowerCase()));
  const module = (...ops: string[]) =>
    any('ZohoCRM.modules.ALL', ...ops.flatMap((o) => [`ZohoCRM.modules.leads.${o}`, `ZohoCRM.modules.${o}`]));
  if (op === 'create') return module('ALL', 'CREATE', 'WRITE');
  if (op === 'update') return module('ALL', 'UPDATE', 'WRITE');
  if (op === 'read') return module('ALL', 'READ');
  return module('ALL', 'READ') && any('ZohoSearch.securesearch.READ', 'ZohoSearch.securesearch.ALL');
}

export interface CrmRequest {
  method: string;
  url: URL;
  authorization: string | undefined;
  body: string;
  location: string;
}

function allFields(state: SimState): Record<string, FieldSpec> {
  return { ...LEAD_FIELDS, ...state.config.extraFields };
}

function rules(state: SimState): ValidationRules {
  return {
    fields: allFields(state),
    mandatoryFields: state.config.mandatoryFields,
    strictFieldNames: state.config.strictFieldNames,
  };
}

function authenticate(state: SimState, req: CrmRequest): AccessTokenState | SimResponse {
  const header = (req.authorization ?? '').trim();
  const m = /^(Zoho-oauthtoken|Bearer)\s+(\S+)$/i.exec(header);
  const scheme = m?.[1]?.toLowerCase();
  if (!m || (scheme === 'bearer' && !state.config.acceptBearer)) {
    return json(401, CRM_ERRORS.authenticationFailure());
  }
  const access = state.tokens.authenticate(m[2]!, req.location, state.now());
  return access ?? json(401, CRM_ERRORS.invalidToken());
}

function duplicateError(index: number, field: string, existing: StoredLead, more: boolean): ZohoError {
  return zohoError('DUPLICATE_DATA', 'duplicate data', {
    api_name: field,
    json_path: `$.data[${index}].${field}`,
    duplicate_record: {
      Owner: { name: SIM_USER.name, id: SIM_USER.id, zuid: SIM_USER.zuid },
      module: { api_name: 'Leads', id: LEADS_MODULE_ID },
      id: existing.id,
    },
    more_records: more,
  });
}

function uniqueFieldsOf(state: SimState): string[] {
  return [...(state.config.uniqueEmail ? ['Email'] : []), ...state.config.uniqueFields];
}

/** Problems of one record beyond field validation: injected rejections, then unique-field collisions. */
function recordErrors(
  state: SimState,
  record: unknown,
  index: number,
  forInsert: boolean,
  existingId: string | undefined,
): ZohoError[] {
  const errors = validateRecord(record, index, rules(state), forInsert);
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return errors;
  const fields = record as Record<string, unknown>;
  const rejected = rejectionFor(fields, state.rejections);
  if (rejected) {
    errors.push(
      zohoError(rejected.rule.code ?? 'INVALID_DATA', rejected.rule.message ?? 'invalid data', {
        api_name: rejected.field,
        json_path: `$.data[${index}].${rejected.field}`,
      }),
    );
  }
  if (errors.length > 0) return errors;
  for (const field of uniqueFieldsOf(state)) {
    const other = state.leads.findBy(field, fields[field], existingId);
    if (other) {
      errors.push(duplicateError(index, field, other, state.leads.countBy(field, fields[field], existingId) > 1));
    }
  }
  return errors;
}

/** A record of the request as its fields, or undefined when it is not a JSON object. */
function asFields(record: unknown): Record<string, unknown> | undefined {
  return typeof record === 'object' && record !== null && !Array.isArray(record)
    ? (record as Record<string, unknown>)
    : undefined;
}

function batchStatus(results: ReadonlyArray<{ status: string }>, allOk: number): number {
  const failed = results.filter((r) => r.status === 'error').length;
  if (failed === 0) return allOk;
  return failed === results.length ? 400 : 207;
}

function insert(state: SimState, records: unknown[]): { status: number; body: unknown } {
  const now = state.now();
  const offset = state.config.timeZoneOffsetMinutes;
  const data = records.map((record, index) => {
    const error = combineRecordErrors(recordErrors(state, record, index, true, undefined), state.config.multipleErrors);
    if (error) return error;
    const lead = state.leads.insert(record as Record<string, unknown>, now, state.config.searchIndexDelayMs);
    return writeSuccess(lead, offset, 'record added');
  });
  return { status: batchStatus(data, 201), body: { data } };
}

/** The SUCCESS entry of insert and update by id (upsert adds action and duplicate_field). */
function writeSuccess(lead: StoredLead, offsetMinutes: number, message: string) {
  return {
    code: 'SUCCESS',
    details: { ...successDetails(lead, offsetMinutes), $approval_state: 'approved' },
    message,
    status: 'success',
  };
}

function upsert(state: SimState, records: unknown[], checkFields: string[]): { status: number; body: unknown } {
  const now = state.now();
  const offset = state.config.timeZoneOffsetMinutes;
  const delay = state.config.searchIndexDelayMs;
  // Records are processed in order, so a later record of the same batch can update an earlier one.
  const data = records.map((record, index) => {
    const fields = asFields(record);
    let match: { lead: StoredLead; field: string } | undefined;
    for (const field of fields ? checkFields : []) {
      const lead = state.leads.findBy(field, fields![field]);
      if (lead) {
        match = { lead, field };
        break;
      }
    }
    const errors = recordErrors(state, record, index, !match, match?.lead.id);
    const error = combineRecordErrors(errors, state.config.multipleErrors);
    if (error) return error;
    if (match) {
      const lead = state.leads.update(match.lead, fields!, now, delay);
      return {
        code: 'SUCCESS',
        duplicate_field: match.field,
        action: 'update',
        details: successDetails(lead, offset),
        message: 'record updated',
        status: 'success',
      };
    }
    const lead = state.leads.insert(fields!, now, delay);
    return {
      code: 'SUCCESS',
      duplicate_field: null,
      action: 'insert',
      details: successDetails(lead, offset),
      message: 'record added',
      status: 'success',
    };
  });
  return { status: batchStatus(data, 200), body: { data } };
}

function recordIdError(index: number, missing: boolean): ZohoError {
  const details = { api_name: 'id', json_path: `$.data[${index}].id` };
  return missing
    ? zohoError('MANDATORY_NOT_FOUND', 'required field not found', details)
    : zohoError('INVALID_DATA', 'the id given seems to be invalid', details);
}

/**
 * Update by id: writes the record each entry names and no other; nothing is matched by Email or
 * Phone. An id that is not (or no longer) in Leads — deleted, merged or converted — is refused for
 * that record with the documented bad-id shape, since Zoho documents no separate code for those.
 */
function updateById(state: SimState, records: unknown[]): { status: number; body: unknown } {
  const now = state.now();
  const offset = state.config.timeZoneOffsetMinutes;
  const data = records.map((record, index) => {
    const fields = asFields(record);
    const id = fields?.id;
    if (fields && (id === undefined || id === null || id === '')) return recordIdError(index, true);
    const lead = typeof id === 'string' || typeof id === 'number' ? state.leads.get(String(id)) : undefined;
    if (fields && !lead) return recordIdError(index, false);
    const error = combineRecordErrors(recordErrors(state, record, index, false, lead?.id), state.config.multipleErrors);
    if (error) return error;
    const updated = state.leads.update(lead!, fields!, now, state.config.searchIndexDelayMs);
    return writeSuccess(updated, offset, 'record updated');
  });
  return { status: batchStatus(data, 200), body: { data } };
}

const SEARCHABLE_SYSTEM = ['id', 'Created_Time', 'Modified_Time', 'Owner'];

function search(state: SimState, url: URL): SimResponse {
  const q = url.searchParams;
  const fieldNames = Object.keys(allFields(state));
  let predicate: (fields: Record<string, unknown>) => boolean;
  const criteria = q.get('criteria');
  const email = q.get('email');
  const phone = q.get('phone');
  const word = q.get('word');
  if (criteria !== null) {
    let parsed: Criteria;
    try {
      parsed = parseCriteria(criteria);
    } catch (e) {
      const reason = e instanceof CriteriaError ? e.message : 'invalid criteria';
      return json(400, zohoError('INVALID_QUERY', 'invalid query formed', { reason }));
    }
    const unknown = fieldsOf(parsed).find((f) => !fieldNames.includes(f) && !SEARCHABLE_SYSTEM.includes(f));
    if (unknown) {
      return json(
        400,
        zohoError('INVALID_QUERY', 'invalid query formed', { api_name: unknown, reason: 'invalid field' }),
      );
    }
    predicate = (fields) => matchesCriteria(fields, parsed);
  } else if (email !== null) {
    const wanted = email.trim().toLowerCase();
    predicate = (fields) => EMAIL_FIELDS.some((f) => String(fields[f] ?? '').toLowerCase() === wanted);
  } else if (phone !== null) {
    const wanted = phone.trim();
    predicate = (fields) => PHONE_FIELDS.some((f) => String(fields[f] ?? '').trim() === wanted);
  } else if (word !== null) {
    if (word.length < 2 || !/^[\p{L}\p{N} ]+$/u.test(word)) {
      return json(400, zohoError('INVALID_DATA', 'invalid data', { api_name: 'word' }));
    }
    const wanted = word.toLowerCase();
    predicate = (fields) =>
      Object.values(fields).some((v) => typeof v === 'string' && v.toLowerCase().includes(wanted));
  } else {
    return json(400, zohoError('EXPECTED_PARAM_MISSING', 'mandatory param missing', {}));
  }

  const page = Math.max(1, Number.parseInt(q.get('page') ?? '1', 10) || 1);
  const perPage = Math.min(SEARCH_MAX_PER_PAGE, Math.max(1, Number.parseInt(q.get('per_page') ?? '200', 10) || 200));
  if ((page - 1) * perPage >= SEARCH_MAX_RECORDS) {
    return json(400, zohoError('LIMIT_REACHED', 'Maximum response iteration limit reached', {}));
  }
  const now = state.now();
  const offset = state.config.timeZoneOffsetMinutes;
  const extra = Object.keys(state.config.extraFields);
  const matches: Array<Record<string, unknown>> = [];
  for (const lead of state.leads.all()) {
    const visible = state.leads.searchable(lead, now);
    if (!visible) continue;
    const shape = readShape(lead, visible, offset, extra);
    if (predicate(shape)) matches.push(shape);
  }
  matches.sort((a, b) => String(b.id).localeCompare(String(a.id)));
  const slice = matches.slice((page - 1) * perPage, page * perPage).map((r) => project(r, q.get('fields')));
  if (slice.length === 0) return { status: 204, headers: { 'Content-Type': 'application/json;charset=UTF-8' } };
  return json(200, {
    data: slice,
    info: {
      per_page: perPage,
      count: slice.length,
      page,
      sort_by: 'id',
      sort_order: 'desc',
      more_records: matches.length > page * perPage && page * perPage < SEARCH_MAX_RECORDS,
    },
  });
}

function fieldsOf(criteria: Criteria): string[] {
  return criteria.kind === 'condition' ? [criteria.field] : [...fieldsOf(criteria.left), ...fieldsOf(criteria.right)];
}

function project(record: Record<string, unknown>, fields: string | null): Record<string, unknown> {
  if (!fields) return record;
  const out: Record<string, unknown> = { id: record.id };
  for (const name of fields.split(',').map((f) => f.trim())) if (name in record) out[name] = record[name];
  return out;
}

function getRecord(state: SimState, id: string, url: URL): SimResponse {
  const lead = state.leads.get(id);
  if (!lead) return { status: 204, headers: { 'Content-Type': 'application/json;charset=UTF-8' } };
  const shape = readShape(lead, lead.fields, state.config.timeZoneOffsetMinutes, Object.keys(state.config.extraFields));
  return json(200, { data: [project(shape, url.searchParams.get('fields'))] });
}

/**
 * X-API-CREDITS-REMAINING, on every CRM answer (success, error or 429) once half the day's
 * credits are used; absent below that, as Zoho documents (docs/zoho-crm.md §8).
 */
export function creditHeaders(state: SimState): Record<string, string> {
  const used = state.creditsUsed();
  if (used < state.config.dailyCredits / 2) return {};
  return { 'X-API-CREDITS-REMAINING': String(Math.max(0, state.config.dailyCredits - used)) };
}

export function writeCost(records: number): number {
  return Math.min(10, Math.max(1, Math.ceil(records / 10)));
}

/** One CRM call after latency and concurrency were applied: auth, scope, credits, then the endpoint itself. */
export function handleCrm(state: SimState, req: CrmRequest, route: CrmRoute, version: string): SimResponse {
  const auth = authenticate(state, req);
  if (!('token' in auth)) return auth;
  const headers = (): Record<string, string> => {
    const h: Record<string, string> = {
      'X-ACCESSTOKEN-RESET': formatZohoDateTime(auth.expiresAt, state.config.timeZoneOffsetMinutes),
      'Content-Disposition': 'attachment; filename=response.json',
      Server: 'ZGS',
    };
    return { ...h, ...creditHeaders(state) };
  };
  const withHeaders = (r: SimResponse): SimResponse => ({ ...r, headers: { ...headers(), ...r.headers } });

  const requestError = (status: number, error: ZohoError) =>
    withHeaders(json(status, requestErrorBody(version, error)));
  if (route.kind === 'error') return requestError(route.status, route.error);
  const op: Operation =
    route.kind === 'search' ? 'search' : route.kind === 'get' ? 'read' : route.kind === 'update' ? 'update' : 'create';
  if (!hasScope(auth.scopes, op)) return withHeaders(json(401, CRM_ERRORS.scopeMismatch()));

  if (route.kind === 'insert' || route.kind === 'upsert' || route.kind === 'update') {
    const parsed = parseWriteBody(req.body);
    const cost = parsed.ok ? writeCost(parsed.records.length) : 1;
    if (!state.tryConsumeCredits(cost)) {
      state.creditRejections += 1;
      return withHeaders(json(429, CRM_ERRORS.tooManyRequests()));
    }
    if (!parsed.ok) return requestError(400, parsed.error);
    let result: { status: number; body: unknown };
    if (route.kind === 'insert') {
      result = insert(state, parsed.records);
    } else if (route.kind === 'update') {
      result = updateById(state, parsed.records);
    } else {
      const check = resolveDuplicateCheckFields(parsed.body.duplicate_check_fields, state.config.uniqueFields);
      if (!check.ok) return withHeaders(json(400, check.error));
      result = upsert(state, parsed.records, check.fields);
    }
    state.writeCalls.push({ endpoint: route.kind, records: parsed.records.length, status: result.status });
    return withHeaders(json(result.status, result.body));
  }
  if (!state.tryConsumeCredits(1)) {
    state.creditRejections += 1;
    return withHeaders(json(429, CRM_ERRORS.tooManyRequests()));
  }
  if (route.kind === 'search') return withHeaders(search(state, req.url));
  return withHeaders(getRecord(state, route.id, req.url));
}

/** Record count of a write body, for Zoho's sub-concurrency rule (complex = more than 10 records). */
export function recordCount(body: string): number {
  const parsed = parseWriteBody(body);
  return parsed.ok ? parsed.records.length : 0;
}
