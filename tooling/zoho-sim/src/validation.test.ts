import { describe, expect, it } from '@jest/globals';
import { LEAD_FIELDS } from './fields.js';
import {
  combineRecordErrors,
  isZohoEmail,
  isZohoPhone,
  parseWriteBody,
  resolveDuplicateCheckFields,
  validateRecord,
} from './validation.js';

const rules = { fields: LEAD_FIELDS, mandatoryFields: ['Last_Name'], strictFieldNames: true };

describe('isZohoEmail (Zoho-documented pattern, docs/zoho-crm.md §9.3)', () => {
  it.each(['p.boyle@abc.example', 'a+b@x-y.co', 'jörg@müller.de', '_x@ab.cd', "o'neil@ex.org"])(
    'accepts %s',
    (email) => {
      expect(isZohoEmail(email)).toBe(true);
    },
  );
  it.each(['plain', '@ab.cd', 'a@b', 'a@b.c', 'a@ab.c0', '.a@ab.cd', 'a b@ab.cd', 'a@-ab.cd', 'a@ab..cd', 'a@ab.cd '])(
    'rejects %s',
    (email) => {
      expect(isZohoEmail(email)).toBe(false);
    },
  );
});

describe('isZohoPhone', () => {
  it('accepts digits with the usual separators', () => {
    expect(isZohoPhone('+1 (555) 123-4567')).toBe(true);
    expect(isZohoPhone('555.123.4567')).toBe(true);
  });
  it('rejects letters and separator-only values', () => {
    expect(isZohoPhone('555-CALL-NOW')).toBe(false);
    expect(isZohoPhone('--')).toBe(false);
  });
});

describe('parseWriteBody', () => {
  it('refuses non-JSON and non-object bodies with the "body" error', () => {
    for (const raw of ['not json', '[]', '"x"', '']) {
      const r = parseWriteBody(raw);
      expect(r.ok ? undefined : r.error).toEqual({
        code: 'INVALID_DATA',
        details: { expected_data_type: 'jsonobject' },
        message: 'body',
        status: 'error',
      });
    }
  });
  it('requires a data array of 1 to 100 records', () => {
    const missing = parseWriteBody('{}');
    expect(missing.ok ? undefined : missing.error.details).toEqual({
      expected_data_type: 'jsonarray',
      api_name: 'data',
      json_path: '$.data',
    });
    const empty = parseWriteBody('{"data":[]}');
    expect(empty.ok ? undefined : empty.error.details).toMatchObject({ minimum_length: 1 });
    const tooMany = parseWriteBody(JSON.stringify({ data: Array.from({ length: 101 }, () => ({})) }));
    expect(tooMany.ok ? undefined : tooMany.error.details).toMatchObject({ maximum_length: 100, api_name: 'data' });
    expect(parseWriteBody(JSON.stringify({ data: Array.from({ length: 100 }, () => ({})) })).ok).toBe(true);
  });
});

describe('validateRecord', () => {
  it('reports a missing mandatory field on insert only', () => {
    expect(validateRecord({ Email: 'a@ab.cd' }, 3, rules, true)).toEqual([
      {
        code: 'MANDATORY_NOT_FOUND',
        details: { api_name: 'Last_Name', json_path: '$.data[3].Last_Name' },
        message: 'required field not found',
        status: 'error',
      },
    ]);
    expect(validateRecord({ Email: 'a@ab.cd' }, 0, rules, false)).toEqual([]);
    expect(validateRecord({ Last_Name: '  ' }, 0, rules, false)[0]?.code).toBe('MANDATORY_NOT_FOUND');
  });
  it('enforces maximum lengths from the Leads metadata', () => {
    const [error] = validateRecord({ Last_Name: 'x'.repeat(81) }, 0, rules, true);
    expect(error?.details).toEqual({ maximum_length: 80, api_name: 'Last_Name', json_path: '$.data[0].Last_Name' });
    expect(validateRecord({ Last_Name: 'x'.repeat(80), First_Name: 'y'.repeat(40) }, 0, rules, true)).toEqual([]);
  });
  it('checks email and phone formats', () => {
    const errors = validateRecord({ Last_Name: 'B', Email: 'nope', Phone: 'abc' }, 1, rules, true);
    expect(errors.map((e) => e.details)).toEqual([
      { expected_data_type: 'email', api_name: 'Email', json_path: '$.data[1].Email' },
      { expected_data_type: 'phone', api_name: 'Phone', json_path: '$.data[1].Phone' },
    ]);
  });
  it('rejects unknown field names unless strictFieldNames is off, and ignores system keys', () => {
    expect(validateRecord({ Last_Name: 'B', Nope__c: 1 }, 0, rules, true)[0]?.message).toBe(
      'the field api name given seems to be invalid',
    );
    expect(validateRecord({ Last_Name: 'B', Nope__c: 1 }, 0, { ...rules, strictFieldNames: false }, true)).toEqual([]);
    expect(validateRecord({ Last_Name: 'B', id: '1', $approval_state: 'x', Full_Name: 'q' }, 0, rules, true)).toEqual(
      [],
    );
  });
  it('checks value types', () => {
    const errors = validateRecord(
      { Last_Name: 'B', Email_Opt_Out: 'yes', No_of_Employees: '12a', Owner: 'me' },
      0,
      rules,
      true,
    );
    expect(errors.map((e) => e.details.api_name)).toEqual(['Email_Opt_Out', 'No_of_Employees', 'Owner']);
  });
  it('refuses a record that is not an object', () => {
    expect(validateRecord('x', 2, rules, true)[0]?.details).toEqual({
      expected_data_type: 'jsonobject',
      json_path: '$.data[2]',
    });
  });
});

describe('combineRecordErrors', () => {
  const a = { code: 'A', details: {}, message: 'a', status: 'error' as const };
  const b = { code: 'B', details: {}, message: 'b', status: 'error' as const };
  it('wraps several errors as v8 does, or keeps the first', () => {
    expect(combineRecordErrors([], 'wrap')).toBeUndefined();
    expect(combineRecordErrors([a], 'wrap')).toBe(a);
    expect(combineRecordErrors([a, b], 'first')).toBe(a);
    expect(combineRecordErrors([a, b], 'wrap')).toEqual({
      code: 'MULTIPLE_OR_MULTI_ERRORS',
      details: { errors: [a, b] },
      message: 'Multiple errors in the request',
      status: 'error',
    });
  });
});

describe('resolveDuplicateCheckFields (Kaizen #177 order)', () => {
  it('defaults to the system field, then unique fields', () => {
    expect(resolveDuplicateCheckFields(undefined, ['u1', 'u2'])).toEqual({ ok: true, fields: ['Email', 'u1', 'u2'] });
    expect(resolveDuplicateCheckFields(['Email'], ['u1'])).toEqual({ ok: true, fields: ['Email', 'u1'] });
    expect(resolveDuplicateCheckFields(['u2'], ['u1', 'u2'])).toEqual({ ok: true, fields: ['u2', 'u1'] });
  });
  it('refuses fields that are neither system duplicate-check nor unique', () => {
    const r = resolveDuplicateCheckFields(['Phone'], []);
    expect(r.ok ? undefined : r.error.details).toEqual({
      api_name: 'duplicate_check_fields',
      json_path: '$.duplicate_check_fields[0]',
    });
    expect(resolveDuplicateCheckFields(['Phone'], ['Phone']).ok).toBe(true);
  });
});
