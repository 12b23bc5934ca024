/**
 * Replays the example bodies of the docs/zoho-crm.md (docs/zoho-crm.md, copied verbatim below with their
 * section numbers) against the simulator's answers: same HTTP status, same codes/messages, same shape — key sets,
 * nesting, value types and value formats (ids, datetimes, tokens, URLs).
 */
import { describe, expect, it } from '@jest/globals';
import { consent, postForm } from './testing.js';
import { withZohoSim } from './with-zoho-sim.js';

type Shape = string | Shape[] | { [key: string]: Shape };

function formatOf(value: string): string {
  if (/^\d{18,19}$/.test(value)) return 'record-id';
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/.test(value)) return 'zoho-datetime';
  if (/^1000\.[^.]+\.[^.]+$/.test(value)) return 'zoho-token';
  if (/^https?:\/\//.test(value)) return 'url';
  return 'string';
}

function shapeOf(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === 'object') {
    const out: Record<string, Shape> = {};
    for (const key of Object.keys(value as object).sort()) out[key] = shapeOf((value as Record<string, unknown>)[key]);
    return out;
  }
  return typeof value === 'string' ? formatOf(value) : typeof value;
}

const DOC = {
  // docs/zoho-crm.md §2.2
  codeExchange: {
    access_token: '1000.8cb99dxxxxxxxxxxxxx9be93.9b8xxxxxxxxxxxxxxxf',
    refresh_token: '1000.3ph66exxxxxxxxxxxxx4a32b.d7aexxxxxxxxxxxxxxxc',
    api_domain: 'https://www.zohoapis.com',
    token_type: 'Bearer',
    expires_in: 3600,
  },
  // docs/zoho-crm.md §2.3
  refresh: {
    access_token: '1000.e00f5677xxxxxxxxxxxxxxxx.e64ff808xxxxxxxxxxxxxxxx',
    scope: 'ZohoCRM.modules.leads.ALL ZohoSearch.securesearch.READ',
    api_domain: 'https://www.zohoapis.com',
    token_type: 'Bearer',
    expires_in: 3600,
  },
  // docs/zoho-crm.md §2.4
  invalidCode: { error: 'invalid_code' },
  invalidClient: { error: 'invalid_client' },
  invalidClientSecret: { error: 'invalid_client_secret' },
  invalidRedirectUri: { error: 'invalid_redirect_uri' },
  accessDenied: {
    error_description: 'You have made too many requests continuously. Please try again after some time.',
    error: 'Access Denied',
    status: 'failure',
  },
  // docs/zoho-crm.md §2.7
  revoked: { status: 'success' },
  // docs/zoho-crm.md §4.3
  insertSuccess: {
    data: [
      {
        code: 'SUCCESS',
        details: {
          Modified_Time: '2023-05-10T01:10:47-07:00',
          Modified_By: { name: 'Patricia Boyle', id: '5725767000000411001' },
          Created_Time: '2023-05-10T01:10:47-07:00',
          id: '5725767000000524157',
          Created_By: { name: 'Patricia Boyle', id: '5725767000000411001' },
          $approval_state: 'approved',
        },
        message: 'record added',
        status: 'success',
      },
    ],
  },
  // docs/zoho-crm.md §4.4
  mandatoryNotFound: {
    code: 'MANDATORY_NOT_FOUND',
    details: { api_name: 'Last_Name', json_path: '$.data[0].Last_Name' },
    message: 'required field not found',
    status: 'error',
  },
  invalidPhone: {
    code: 'INVALID_DATA',
    details: { expected_data_type: 'phone', api_name: 'Phone', json_path: '$.data[0].Phone' },
    message: 'invalid data',
    status: 'error',
  },
  tooLong: {
    code: 'INVALID_DATA',
    details: { maximum_length: 80, api_name: 'Last_Name', json_path: '$.data[0].Last_Name' },
    message: 'invalid data',
    status: 'error',
  },
  unknownField: {
    code: 'INVALID_DATA',
    details: { api_name: 'Last_Name', json_path: '$.data[1].Last_Name' },
    message: 'the field api name given seems to be invalid',
    status: 'error',
  },
  duplicate: {
    code: 'DUPLICATE_DATA',
    details: {
      api_name: 'Email',
      json_path: '$.data[0].Email',
      duplicate_record: {
        Owner: { name: 'Patricia Boyle', id: '4881139000000307001', zuid: '736078909' },
        module: { api_name: 'Leads', id: '4881139000000002175' },
        id: '4881139000000428295',
      },
      more_records: false,
    },
    message: 'duplicate data',
    status: 'error',
  },
  // docs/zoho-crm.md §4.5 / §10.5; over 100 records is §5.1's LIMIT_EXCEEDED, which v8 answers inside data[]
  tooMany: {
    code: 'LIMIT_EXCEEDED',
    details: { maximum_length: 100, api_name: 'data' },
    message: 'count of records in your request exceeds the limit',
    status: 'error',
  },
  emptyData: {
    code: 'INVALID_DATA',
    details: { minimum_length: 1, api_name: 'data', json_path: '$.data' },
    message: 'invalid data',
    status: 'error',
  },
  bodyNotJson: {
    code: 'INVALID_DATA',
    details: { expected_data_type: 'jsonobject' },
    message: 'body',
    status: 'error',
  },
  // docs/zoho-crm.md §5
  upsert: {
    data: [
      {
        code: 'SUCCESS',
        duplicate_field: 'Email',
        action: 'update',
        details: {
          Modified_Time: '2020-10-14T10:31:43+05:30',
          Modified_By: { name: 'Patricia Boyle', id: '4150868000000225013' },
          Created_Time: '2019-09-11T16:21:15+05:30',
          id: '4150868000000376008',
          Created_By: { name: 'Patricia Boyle', id: '4150868000000225013' },
        },
        message: 'record updated',
        status: 'success',
      },
      {
        code: 'SUCCESS',
        duplicate_field: null,
        action: 'insert',
        details: {
          Modified_Time: '2020-10-14T10:31:43+05:30',
          Modified_By: { name: 'Patricia Boyle', id: '4150868000000225013' },
          Created_Time: '2020-10-14T10:31:43+05:30',
          id: '4150868000003194003',
          Created_By: { name: 'Patricia Boyle', id: '4150868000000225013' },
        },
        message: 'record added',
        status: 'success',
      },
    ],
  },
  // docs/zoho-crm.md §5.1: entries as in §4.3 (message "record updated"); a bad id as in §4.4
  badId: {
    code: 'INVALID_DATA',
    details: { api_name: 'id', json_path: '$.data[0].id' },
    message: 'the id given seems to be invalid',
    status: 'error',
  },
  // docs/zoho-crm.md §6
  search: {
    data: [
      {
        id: '3652397000000415002',
        Last_Name: 'Boyle',
        First_Name: 'Patricia',
        Email: 'p.boyle@abc.example',
        Company: 'ABC Corp',
        Lead_Status: 'Contacted',
        Owner: { name: 'Patricia Boyle', id: '3652397000000186017' },
        Created_Time: '2019-01-10T13:04:32+05:30',
        Modified_Time: '2019-03-22T11:10:55+05:30',
        $converted: false,
      },
    ],
    info: { per_page: 200, count: 1, page: 1, more_records: false },
  },
  // docs/zoho-crm.md §7
  invalidToken: { code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' },
  authFailure: { code: 'AUTHENTICATION_FAILURE', details: {}, message: 'Authentication failed', status: 'error' },
  scopeMismatch: {
    code: 'OAUTH_SCOPE_MISMATCH',
    details: {},
    message: 'invalid oauth scope to access this URL',
    status: 'error',
  },
  noPermission: {
    code: 'NO_PERMISSION',
    details: { permissions: ['Crm_Implied_Api_Access'] },
    message: 'permission denied',
    status: 'error',
  },
  invalidUrl: {
    code: 'INVALID_URL_PATTERN',
    details: {},
    message: 'Please check if the URL trying to access is a correct one',
    status: 'error',
  },
  internal: { code: 'INTERNAL_ERROR', details: {}, message: 'Internal Server Error', status: 'error' },
  tooManyRequests: { code: 'TOO_MANY_REQUESTS', details: {}, message: '<unconfirmed>', status: 'error' },
} as const;

const CLIENT = { client_id: 'sim-client-id', client_secret: 'sim-client-secret' };
const REDIRECT = 'http://localhost:3000/auth/zoho/callback';

const zoho = withZohoSim();

async function crm(
  method: string,
  path: string,
  body?: unknown,
  auth: string | null = `Zoho-oauthtoken ${zoho.token}`,
) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (auth !== null) headers.Authorization = auth;
  const response = await fetch(`${zoho.sim.apiDomain}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, body: text === '' ? undefined : JSON.parse(text) };
}

const token_ = (params: Record<string, string>) => postForm(`${zoho.sim.accountsUrl}/oauth/v2/token`, params);
const refresh = (rt: string) => token_({ grant_type: 'refresh_token', ...CLIENT, refresh_token: rt });
const lead = { Last_Name: 'Boyle', First_Name: 'Patricia', Company: 'ABC Corp', Email: 'p.boyle@abc.example' };

describe('docs/zoho-crm.md §2 OAuth token endpoint', () => {
  it('code exchange success (docs/zoho-crm.md §2.2)', async () => {
    const { code } = await consent(zoho.sim.accountsUrl, { redirectUri: REDIRECT });
    const r = await token_({ grant_type: 'authorization_code', ...CLIENT, redirect_uri: REDIRECT, code });
    expect(r.status).toBe(200);
    expect(shapeOf(r.body)).toEqual(shapeOf(DOC.codeExchange));
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
  });

  it('refresh success (docs/zoho-crm.md §2.3)', async () => {
    const r = await refresh(zoho.sim.control.issueRefreshToken());
    expect(r.status).toBe(200);
    expect(shapeOf(r.body)).toEqual(shapeOf(DOC.refresh));
    expect(r.body.scope).toBe(DOC.refresh.scope);
  });

  it('errors are HTTP 200 with the documented bodies (docs/zoho-crm.md §2.4)', async () => {
    const { code } = await consent(zoho.sim.accountsUrl, { redirectUri: REDIRECT });
    const exchange = (extra: Record<string, string>) =>
      token_({ grant_type: 'authorization_code', ...CLIENT, redirect_uri: REDIRECT, code, ...extra });
    expect(await exchange({ code: '1000.bad.bad' })).toEqual({ status: 200, body: DOC.invalidCode });
    expect(await exchange({ client_id: 'unknown' })).toEqual({ status: 200, body: DOC.invalidClient });
    expect(await exchange({ client_secret: 'wrong' })).toEqual({ status: 200, body: DOC.invalidClientSecret });
    expect(await exchange({ redirect_uri: 'http://x.example/cb' })).toEqual({
      status: 200,
      body: DOC.invalidRedirectUri,
    });
    expect(await refresh('1000.revoked.token')).toEqual({ status: 200, body: DOC.invalidCode });

    zoho.sim.control.configure({ refreshThrottle: { max: 1, windowMs: 60_000 } });
    const rt = zoho.sim.control.issueRefreshToken();
    await refresh(rt);
    expect(await refresh(rt)).toEqual({ status: 200, body: DOC.accessDenied });
  });

  it('revoke success and failure (docs/zoho-crm.md §2.7)', async () => {
    const rt = zoho.sim.control.issueRefreshToken();
    const ok = await postForm(`${zoho.sim.accountsUrl}/oauth/v2/token/revoke?token=${encodeURIComponent(rt)}`, {});
    expect(ok).toEqual({ status: 200, body: DOC.revoked });
    const again = await postForm(`${zoho.sim.accountsUrl}/oauth/v2/token/revoke?token=${encodeURIComponent(rt)}`, {});
    expect(again.status).toBe(400);
  });
});

describe('docs/zoho-crm.md §4 insert', () => {
  it('all created → 201 with the documented success entry (docs/zoho-crm.md §4.2, §4.3)', async () => {
    const r = await crm('POST', '/crm/v8/Leads', { data: [lead], trigger: ['workflow'] });
    expect(r.status).toBe(201);
    expect(shapeOf(r.body)).toEqual(shapeOf(DOC.insertSuccess));
    expect(r.body?.data[0]).toMatchObject({ code: 'SUCCESS', message: 'record added', status: 'success' });
  });

  it('record-level errors (docs/zoho-crm.md §4.4), all failed → 400', async () => {
    const cases: Array<[unknown, unknown]> = [
      [{ First_Name: 'Patricia' }, DOC.mandatoryNotFound],
      [{ ...lead, Phone: 'call me maybe' }, DOC.invalidPhone],
      [{ ...lead, Last_Name: 'x'.repeat(81) }, DOC.tooLong],
    ];
    for (const [record, documented] of cases) {
      const r = await crm('POST', '/crm/v8/Leads', { data: [record] });
      expect(r.status).toBe(400);
      expect(r.body?.data).toEqual([documented]);
    }
    const unknown = await crm('POST', '/crm/v8/Leads', { data: [lead, { Last_Name: 'B', Lead_Sorce: 'x' }] });
    expect(unknown.status).toBe(207);
    expect(shapeOf(unknown.body?.data[1])).toEqual(shapeOf(DOC.unknownField));
    expect(unknown.body?.data[1]).toMatchObject({ code: DOC.unknownField.code, message: DOC.unknownField.message });
    expect(unknown.body?.data[1].details.json_path).toBe('$.data[1].Lead_Sorce');
  });

  it('duplicate Email → DUPLICATE_DATA with the existing record (docs/zoho-crm.md §4.4)', async () => {
    await crm('POST', '/crm/v8/Leads', { data: [lead] });
    const r = await crm('POST', '/crm/v8/Leads', { data: [lead] });
    expect(r.status).toBe(400);
    expect(shapeOf(r.body?.data[0])).toEqual(shapeOf(DOC.duplicate));
    expect(r.body?.data[0]).toMatchObject({ code: 'DUPLICATE_DATA', message: 'duplicate data' });
  });

  it('request-level errors for too many, empty and non-JSON bodies (docs/zoho-crm.md §4.5)', async () => {
    const many = await crm('POST', '/crm/v8/Leads', { data: Array.from({ length: 101 }, () => lead) });
    expect(many).toEqual({ status: 400, text: expect.any(String), body: { data: [DOC.tooMany] } });
    // versions before v8 send the same error as a bare object
    const older = await crm('POST', '/crm/v7/Leads', { data: Array.from({ length: 101 }, () => lead) });
    expect(older).toEqual({ status: 400, text: expect.any(String), body: DOC.tooMany });
    expect(await crm('POST', '/crm/v8/Leads', { data: [] })).toMatchObject({ status: 400, body: DOC.emptyData });
    expect(await crm('POST', '/crm/v8/Leads', '{"data": [')).toMatchObject({ status: 400, body: DOC.bodyNotJson });
  });
});

describe('docs/zoho-crm.md §5 upsert', () => {
  it('update + insert → 200 with action and duplicate_field', async () => {
    await crm('POST', '/crm/v8/Leads', { data: [lead] });
    const r = await crm('POST', '/crm/v8/Leads/upsert', {
      data: [
        { Last_Name: 'Boyle', Email: 'p.boyle@abc.example', Company: 'ABC Corp', Lead_Status: 'Contacted' },
        { Last_Name: 'New', Email: 'new@abc.example' },
      ],
      duplicate_check_fields: ['Email'],
      trigger: ['workflow'],
    });
    expect(r.status).toBe(200);
    expect(shapeOf(r.body)).toEqual(shapeOf(DOC.upsert));
    expect(r.body?.data.map((e: Record<string, unknown>) => [e.action, e.duplicate_field, e.message])).toEqual(
      DOC.upsert.data.map((e) => [e.action, e.duplicate_field, e.message]),
    );
  });
});

describe('docs/zoho-crm.md §5.1 update by id', () => {
  it('PUT /Leads writes the named record only → 200 "record updated"; fields not sent are kept', async () => {
    const created = await crm('POST', '/crm/v8/Leads', { data: [{ ...lead, Phone: '+15550100' }] });
    const id = created.body?.data[0].details.id as string;
    const r = await crm('PUT', '/crm/v8/Leads', {
      data: [{ id, Email: 'p.daly@zylker.example', Phone: '+15550101' }],
      trigger: ['workflow'],
    });
    expect(r.status).toBe(200);
    expect(shapeOf(r.body)).toEqual(shapeOf(DOC.insertSuccess));
    expect(r.body?.data[0]).toMatchObject({ code: 'SUCCESS', message: 'record updated', status: 'success' });
    expect(r.body?.data[0].details.id).toBe(id);
    expect(zoho.sim.control.records()).toEqual([
      expect.objectContaining({ id, Last_Name: 'Boyle', Email: 'p.daly@zylker.example', Phone: '+15550101' }),
    ]);
    expect(zoho.sim.control.counters().writeCalls).toEqual([
      { endpoint: 'insert', records: 1, status: 201 },
      { endpoint: 'update', records: 1, status: 200 },
    ]);
  });

  it('one entry per record in input order: 207 mixed, 400 all failed; an unknown id is refused for that record', async () => {
    const [id] = zoho.sim.control.seedRecords([lead]);
    const mixed = await crm('PUT', '/crm/v8/Leads', {
      data: [
        { id: '4876876000000999999', Email: 'a@abc.example' },
        { id, Company: 'New Co' },
      ],
    });
    expect(mixed.status).toBe(207);
    expect(mixed.body?.data[0]).toEqual({ ...DOC.badId });
    expect(mixed.body?.data[1]).toMatchObject({ code: 'SUCCESS', details: { id } });
    const failed = await crm('PUT', '/crm/v8/Leads', { data: [{ id: '1', Email: 'b@abc.example' }] });
    expect(failed).toMatchObject({ status: 400, body: { data: [DOC.badId] } });
  });

  it('a deleted or converted record is no longer in Leads: its id is refused, nothing is matched instead', async () => {
    const [gone, converted] = zoho.sim.control.seedRecords([lead, { Last_Name: 'Conv', Email: 'c@abc.example' }]);
    expect(zoho.sim.control.deleteRecord(gone!)).toBe(true);
    expect(zoho.sim.control.convertRecord(converted!)).toBe(true);
    const r = await crm('PUT', '/crm/v8/Leads', {
      data: [
        { id: gone, Email: lead.Email },
        { id: converted, Email: 'c@abc.example' },
      ],
    });
    expect(r.status).toBe(400);
    expect(r.body?.data).toEqual([DOC.badId, { ...DOC.badId, details: { api_name: 'id', json_path: '$.data[1].id' } }]);
    expect(zoho.sim.control.records()).toEqual([]);
    expect(zoho.sim.control.convertedRecords()).toEqual([
      expect.objectContaining({ id: converted, Last_Name: 'Conv' }),
    ]);
  });

  it('validates like the update branch of upsert: field rules, unique values of other records, missing id', async () => {
    const [a, b] = zoho.sim.control.seedRecords([lead, { Last_Name: 'Other', Email: 'other@abc.example' }]);
    const r = await crm('PUT', '/crm/v8/Leads', {
      data: [
        { id: a, Email: 'other@abc.example' },
        { id: b, Phone: 'call me maybe' },
        { Email: 'x@abc.example' },
        { id: a, Last_Name: '' },
      ],
    });
    expect(r.status).toBe(400);
    expect(
      r.body?.data.map((e: { code: string; details: { api_name: string } }) => [e.code, e.details.api_name]),
    ).toEqual([
      ['DUPLICATE_DATA', 'Email'],
      ['INVALID_DATA', 'Phone'],
      ['MANDATORY_NOT_FOUND', 'id'],
      ['MANDATORY_NOT_FOUND', 'Last_Name'],
    ]);
    expect(r.body?.data[0].details.duplicate_record.id).toBe(b);
  });

  it('over 100 records → LIMIT_EXCEEDED inside data[] (v8), nothing written', async () => {
    const [id] = zoho.sim.control.seedRecords([lead]);
    const r = await crm('PUT', '/crm/v8/Leads', { data: Array.from({ length: 101 }, () => ({ id, Company: 'X' })) });
    expect(r).toEqual({ status: 400, text: expect.any(String), body: { data: [DOC.tooMany] } });
    expect(zoho.sim.control.records()[0]).toMatchObject({ Company: 'ABC Corp' });
    const hundred = await crm('PUT', '/crm/v8/Leads', {
      data: Array.from({ length: 100 }, () => ({ id, Company: 'Y' })),
    });
    expect(hundred.status).toBe(200);
  });
});

describe('docs/zoho-crm.md §9.3 field rules', () => {
  it("phone: digits with + - ( ) . and spaces, at most 30 characters; anything else → INVALID_DATA 'phone'", async () => {
    for (const phone of ['+1 (555) 010-0100', '555.010.0100', '0301234567', '1'.repeat(30)]) {
      const r = await crm('POST', '/crm/v8/Leads', { data: [{ Last_Name: 'P', Phone: phone }] });
      expect([phone, r.status]).toEqual([phone, 201]);
    }
    for (const phone of ['555-CALL-NOW', '555 0100 x12', '+49#030', '--']) {
      const r = await crm('POST', '/crm/v8/Leads', { data: [{ Last_Name: 'P', Phone: phone }] });
      expect([phone, r.status, r.body?.data]).toEqual([
        phone,
        400,
        [
          {
            ...DOC.invalidPhone,
            details: { expected_data_type: 'phone', api_name: 'Phone', json_path: '$.data[0].Phone' },
          },
        ],
      ]);
    }
    const long = await crm('POST', '/crm/v8/Leads', { data: [{ Last_Name: 'P', Phone: '1'.repeat(31) }] });
    expect(long.body?.data[0].details).toEqual({ maximum_length: 30, api_name: 'Phone', json_path: '$.data[0].Phone' });
  });

  it('Company takes 200 characters (v7 metadata), not 100', async () => {
    expect((await crm('POST', '/crm/v8/Leads', { data: [{ Last_Name: 'C', Company: 'c'.repeat(200) }] })).status).toBe(
      201,
    );
    const long = await crm('POST', '/crm/v8/Leads', { data: [{ Last_Name: 'C', Company: 'c'.repeat(201) }] });
    expect(long.body?.data[0].details).toEqual({
      maximum_length: 200,
      api_name: 'Company',
      json_path: '$.data[0].Company',
    });
  });
});

describe('docs/zoho-crm.md §6 search', () => {
  it('match → 200 with data and info; records carry at least the documented keys', async () => {
    await crm('POST', '/crm/v8/Leads', { data: [{ ...lead, Lead_Status: 'Contacted' }] });
    const r = await crm('GET', '/crm/v8/Leads/search?email=p.boyle%40abc.example');
    expect(r.status).toBe(200);
    expect(shapeOf(r.body?.data[0])).toMatchObject(shapeOf(DOC.search.data[0]) as object);
    expect(shapeOf(r.body?.info)).toMatchObject(shapeOf(DOC.search.info) as object);
    expect(r.body?.info).toMatchObject(DOC.search.info);
  });

  it('no match → 204 with an empty body', async () => {
    const r = await crm('GET', '/crm/v8/Leads/search?email=nobody%40abc.example');
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
  });
});

describe('docs/zoho-crm.md §7 request-level errors', () => {
  it('401s for tokens and scopes', async () => {
    expect(await crm('GET', '/crm/v8/Leads/1', undefined, 'Zoho-oauthtoken 1000.x.y')).toEqual({
      status: 401,
      text: expect.any(String),
      body: DOC.invalidToken,
    });
    expect(await crm('GET', '/crm/v8/Leads/1', undefined, null)).toMatchObject({ status: 401, body: DOC.authFailure });
    zoho.token = zoho.sim.control.issueAccessToken({ scope: 'ZohoCRM.settings.ALL' }).accessToken;
    expect(await crm('GET', '/crm/v8/Leads/1')).toMatchObject({ status: 401, body: DOC.scopeMismatch });
  });

  it('404 INVALID_URL_PATTERN', async () => {
    expect(await crm('GET', '/crm/v8/Leads/1/Notes/2')).toMatchObject({ status: 404, body: DOC.invalidUrl });
  });

  it('v8 answers INVALID_MODULE and INVALID_REQUEST_METHOD inside data[]; older versions as a bare object', async () => {
    const module = await crm('PUT', '/crm/v8/Leadz', { data: [lead] });
    expect(module).toMatchObject({ status: 400, body: { data: [{ code: 'INVALID_MODULE', status: 'error' }] } });
    const method = await crm('PUT', '/crm/v8/Leads/upsert', { data: [lead] });
    expect(method).toMatchObject({
      status: 400,
      body: { data: [{ code: 'INVALID_REQUEST_METHOD', status: 'error' }] },
    });
    expect(await crm('PUT', '/crm/v2/Leadz', { data: [lead] })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_MODULE' },
    });
    // 401/404 stay bare in v8 as well
    expect((await crm('PUT', '/crm/v8/Leads/1/x', { data: [lead] })).body).toEqual(DOC.invalidUrl);
  });

  it('injected 403, 500 and 429 use the documented bodies', async () => {
    zoho.sim.control.injectFaults({ kind: 'status', status: 403 }, { kind: 'status', status: 500 });
    expect(await crm('GET', '/crm/v8/Leads/1')).toMatchObject({ status: 403, body: DOC.noPermission });
    expect(await crm('GET', '/crm/v8/Leads/1')).toMatchObject({ status: 500, body: DOC.internal });
    zoho.sim.control.configure({ dailyCredits: 1 });
    await crm('GET', '/crm/v8/Leads/1');
    const limited = await crm('GET', '/crm/v8/Leads/1');
    expect(limited.status).toBe(429);
    expect(shapeOf(limited.body)).toEqual(shapeOf(DOC.tooManyRequests));
    expect(limited.body?.code).toBe('TOO_MANY_REQUESTS');
  });
});
