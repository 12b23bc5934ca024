import { describe, expect, it } from '@jest/globals';
import { classifyRecordResult } from './record-result.js';

describe('classifyRecordResult', () => {
  it('maps an upsert success with its action', () => {
    expect(
      classifyRecordResult({
        code: 'SUCCESS',
        duplicate_field: 'Email',
        action: 'update',
        details: { id: '4150868000000376008' },
        message: 'record updated',
        status: 'success',
      }),
    ).toEqual({ ok: true, zohoId: '4150868000000376008', action: 'update', duplicateField: 'Email' });
    expect(
      classifyRecordResult({
        code: 'SUCCESS',
        duplicate_field: null,
        action: 'insert',
        details: { id: '1' },
        status: 'success',
      }),
    ).toEqual({ ok: true, zohoId: '1', action: 'insert' });
  });

  it('maps an update-by-id success as an update of that record (the answer has no action key)', () => {
    const item = {
      code: 'SUCCESS',
      details: { id: '111112000000142001' },
      message: 'record updated',
      status: 'success',
    };
    expect(classifyRecordResult(item, 'update')).toEqual({ ok: true, zohoId: '111112000000142001', action: 'update' });
  });

  it('marks an update whose id is not in Leads (deleted, merged, converted) as gone, and only that', () => {
    const badId = {
      code: 'INVALID_DATA',
      details: { api_name: 'id', json_path: '$.data[0].id' },
      message: 'the id given seems to be invalid',
      status: 'error',
    };
    expect(classifyRecordResult(badId, 'update')).toMatchObject({
      ok: false,
      code: 'INVALID_DATA',
      field: 'id',
      recordGone: true,
      retryable: false,
    });
    const badPhone = { ...badId, details: { api_name: 'Phone', expected_data_type: 'phone' } };
    expect(classifyRecordResult(badPhone, 'update')).not.toHaveProperty('recordGone');
    // an upsert does not address a record by id
    expect(classifyRecordResult(badId)).not.toHaveProperty('recordGone');
  });

  it('maps a validation error with its field, not retryable', () => {
    expect(
      classifyRecordResult({
        code: 'INVALID_DATA',
        details: { expected_data_type: 'phone', api_name: 'Phone' },
        message: 'invalid data',
        status: 'error',
      }),
    ).toMatchObject({ ok: false, code: 'INVALID_DATA', message: 'invalid data', field: 'Phone', retryable: false });
  });

  it('names the first field of MULTIPLE_OR_MULTI_ERRORS', () => {
    expect(
      classifyRecordResult({
        code: 'MULTIPLE_OR_MULTI_ERRORS',
        details: {
          errors: [
            { code: 'MANDATORY_NOT_FOUND', details: { api_name: 'Last_Name' } },
            { code: 'INVALID_DATA', details: { api_name: 'Email' } },
          ],
        },
        message: 'Multiple errors in the request',
        status: 'error',
      }),
    ).toMatchObject({ ok: false, code: 'MULTIPLE_OR_MULTI_ERRORS', field: 'Last_Name', retryable: false });
  });

  it('marks a per-record internal error retryable and an unreadable item too', () => {
    expect(classifyRecordResult({ code: 'INTERNAL_ERROR', status: 'error', message: 'x' })).toMatchObject({
      retryable: true,
    });
    expect(classifyRecordResult('garbage')).toMatchObject({ ok: false, code: 'INVALID_RESULT', retryable: true });
  });
});
