import type { FieldSpec } from './fields.js';
import { SYSTEM_FIELDS } from './fields.js';
import { CRM_ERRORS, type ZohoError, zohoError } from './zoho-bodies.js';

// Transcribed from Zoho's Insert Records page (docs/zoho-crm.md §9.3); needs the `u` flag.
const ZOHO_EMAIL =
  /^[+\-\p{L}\p{M}\p{N}_]([\p{L}\p{M}\p{N}!#$%&'*+\-/=?^_`{|}~.]*)@(?=.{4,256}$)(([\p{L}\p{N}\p{M}]+)(([-_]*[\p{L}\p{M}\p{N}])*)[.])+[\p{L}\p{M}]{2,22}$/u;

// Zoho's exact phone rule is unconfirmed; digits with the usual separators is the conservative guess.
const ZOHO_PHONE = /^[0-9+\-(). ]+$/;

export const MAX_RECORDS_PER_CALL = 100;

export function isZohoEmail(value: string): boolean {
  return ZOHO_EMAIL.test(value);
}

export function isZohoPhone(value: string): boolean {
  return ZOHO_PHONE.test(value) && /[0-9]/.test(value);
}

export interface ValidationRules {
  fields: Readonly<Record<string, FieldSpec>>;
  mandatoryFields: readonly string[];
  strictFieldNames: boolean;
}

export type WriteBody =
  | { ok: true; records: unknown[]; body: Record<string, unknown> }
  | { ok: false; error: ZohoError };

/** Request-level checks shared by insert, update and upsert (docs/zoho-crm.md §4.5 / §5.1 / §10.5). */
export function parseWriteBody(raw: string): WriteBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ok: false, error: zohoError('INVALID_DATA', 'body', { expected_data_type: 'jsonobject' }) };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, error: zohoError('INVALID_DATA', 'body', { expected_data_type: 'jsonobject' }) };
  }
  const body = parsed as Record<string, unknown>;
  const data = body.data;
  if (!Array.isArray(data)) {
    return {
      ok: false,
      error: zohoError('INVALID_DATA', 'invalid data', {
        expected_data_type: 'jsonarray',
        api_name: 'data',
        json_path: '$.data',
      }),
    };
  }
  if (data.length === 0) {
    return {
      ok: false,
      error: zohoError('INVALID_DATA', 'invalid data', { minimum_length: 1, api_name: 'data', json_path: '$.data' }),
    };
  }
  if (data.length > MAX_RECORDS_PER_CALL) return { ok: false, error: CRM_ERRORS.limitExceeded(MAX_RECORDS_PER_CALL) };
  return { ok: true, records: data, body };
}

function fieldError(index: number, apiName: string, extra: Record<string, unknown> = {}): ZohoError {
  return zohoError('INVALID_DATA', 'invalid data', {
    ...extra,
    api_name: apiName,
    json_path: `$.data[${index}].${apiName}`,
  });
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function checkValue(index: number, apiName: string, spec: FieldSpec, value: unknown): ZohoError | undefined {
  if (value === null) return undefined;
  switch (spec.type) {
    case 'text':
    case 'textarea':
    case 'website':
    case 'picklist':
    case 'email':
    case 'phone': {
      if (typeof value !== 'string') return fieldError(index, apiName, { expected_data_type: spec.type });
      if (spec.maxLength !== undefined && value.length > spec.maxLength) {
        return fieldError(index, apiName, { maximum_length: spec.maxLength });
      }
      if (value === '') return undefined;
      if (spec.type === 'email' && !isZohoEmail(value))
        return fieldError(index, apiName, { expected_data_type: 'email' });
      if (spec.type === 'phone' && !isZohoPhone(value))
        return fieldError(index, apiName, { expected_data_type: 'phone' });
      return undefined;
    }
    case 'integer': {
      const text = typeof value === 'number' ? String(value) : value;
      if (typeof text !== 'string' || !/^-?\d+$/.test(text)) {
        return fieldError(index, apiName, { expected_data_type: 'integer' });
      }
      if (spec.maxLength !== undefined && text.replace('-', '').length > spec.maxLength) {
        return fieldError(index, apiName, { maximum_length: spec.maxLength });
      }
      return undefined;
    }
    case 'currency': {
      const text = typeof value === 'number' ? String(value) : value;
      if (typeof text !== 'string' || !/^-?\d+(\.\d{1,2})?$/.test(text)) {
        return fieldError(index, apiName, { expected_data_type: 'double' });
      }
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : fieldError(index, apiName, { expected_data_type: 'boolean' });
    case 'lookup': {
      const ok =
        typeof value === 'object' && !Array.isArray(value) && typeof (value as { id?: unknown }).id === 'string';
      return ok ? undefined : fieldError(index, apiName, { expected_data_type: 'lookup' });
    }
    case 'tags':
      return Array.isArray(value) ? undefined : fieldError(index, apiName, { expected_data_type: 'jsonarray' });
  }
}

/**
 * Record-level validation as Zoho does it: every problem of one record, in field order.
 * `forInsert` = false is the update branch of upsert, where mandatory fields may be omitted but not blanked.
 */
export function validateRecord(
  record: unknown,
  index: number,
  rules: ValidationRules,
  forInsert: boolean,
): ZohoError[] {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return [
      zohoError('INVALID_DATA', 'invalid data', { expected_data_type: 'jsonobject', json_path: `$.data[${index}]` }),
    ];
  }
  const fields = record as Record<string, unknown>;
  const errors: ZohoError[] = [];
  for (const mandatory of rules.mandatoryFields) {
    const present = Object.hasOwn(fields, mandatory);
    if ((forInsert || present) && isBlank(fields[mandatory])) {
      errors.push(
        zohoError('MANDATORY_NOT_FOUND', 'required field not found', {
          api_name: mandatory,
          json_path: `$.data[${index}].${mandatory}`,
        }),
      );
    }
  }
  for (const [apiName, value] of Object.entries(fields)) {
    if (apiName.startsWith('$') || SYSTEM_FIELDS.has(apiName)) continue;
    const spec = rules.fields[apiName];
    if (!spec) {
      if (rules.strictFieldNames) {
        errors.push(
          zohoError('INVALID_DATA', 'the field api name given seems to be invalid', {
            api_name: apiName,
            json_path: `$.data[${index}].${apiName}`,
          }),
        );
      }
      continue;
    }
    if (spec.readOnly) continue;
    if (rules.mandatoryFields.includes(apiName) && isBlank(value)) continue;
    const error = checkValue(index, apiName, spec, value);
    if (error) errors.push(error);
  }
  return errors;
}

/** v8 wraps several problems of one record into MULTIPLE_OR_MULTI_ERRORS; older versions report one. */
export function combineRecordErrors(errors: ZohoError[], mode: 'wrap' | 'first'): ZohoError | undefined {
  if (errors.length === 0) return undefined;
  if (errors.length === 1 || mode === 'first') return errors[0];
  return zohoError('MULTIPLE_OR_MULTI_ERRORS', 'Multiple errors in the request', { errors });
}

/** Which fields upsert checks, in order (docs/zoho-crm.md §5 / Kaizen #177). Returns the offending entry if invalid. */
export function resolveDuplicateCheckFields(
  requested: unknown,
  uniqueFields: readonly string[],
): { ok: true; fields: string[] } | { ok: false; error: ZohoError } {
  const allowed = ['Email', ...uniqueFields];
  if (requested === undefined || requested === null) return { ok: true, fields: allowed };
  if (!Array.isArray(requested)) {
    return {
      ok: false,
      error: zohoError('INVALID_DATA', 'invalid data', {
        expected_data_type: 'jsonarray',
        api_name: 'duplicate_check_fields',
        json_path: '$.duplicate_check_fields',
      }),
    };
  }
  for (const [i, name] of requested.entries()) {
    if (typeof name !== 'string' || !allowed.includes(name)) {
      return {
        ok: false,
        error: zohoError('INVALID_DATA', 'invalid data', {
          api_name: 'duplicate_check_fields',
          json_path: `$.duplicate_check_fields[${i}]`,
        }),
      };
    }
  }
  const listed = requested as string[];
  const rest = uniqueFields.filter((f) => !listed.includes(f));
  return { ok: true, fields: [...new Set([...listed, ...rest])] };
}
