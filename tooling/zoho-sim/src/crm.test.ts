import { beforeEach, describe, expect, it } from '@jest/globals';
import { withZohoSim } from './with-zoho-sim.js';

const zoho = withZohoSim();

async function call(
  method: string,
  path: string,
  body?: unknown,
  auth: string | null = `Zoho-oauthtoken ${zoho.token}`,
) {
  const headers: Record<string, string> = {};
  if (auth !== null) headers.Authorization = auth;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${zoho.sim.apiDomain}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text === '' ? undefined : JSON.parse(text) };
}

const lead = (n: number, extra: Record<string, unknown> = {}) => ({
  Last_Name: `Lead ${n}`,
  Email: `lead${n}@example.com`,
  ...extra,
});

describe('authentication', () => {
  it('answers a missing or malformed Authorization header with 401 AUTHENTICATION_FAILURE', async () => {
    const expected = { code: 'AUTHENTICATION_FAILURE', details: {}, message: 'Authentication failed', status: 'error' };
    expect(await call('GET', '/crm/v8/Leads/1', undefined, null)).toMatchObject({ status: 401, body: expected });
    expect(await call('GET', '/crm/v8/Leads/1', undefined, 'Zoho-oauthtoken')).toMatchObject({ status: 401 });
    expect((await call('GET', '/crm/v8/Leads/1', undefined, `Bearer ${zoho.token}`)).body.code).toBe(
      'AUTHENTICATION_FAILURE',
    );
  });

  it('answers unknown, expired and revoked tokens with 401 INVALID_TOKEN', async () => {
    const expected = { code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' };
    expect(await call('GET', '/crm/v8/Leads/1', undefined, 'Zoho-oauthtoken 1000.nope.nope')).toMatchObject({
      status: 401,
      body: expected,
    });
    expect(zoho.sim.control.expireAccessTokens()).toBe(1);
    expect(await call('GET', '/crm/v8/Leads/1')).toMatchObject({ status: 401, body: expected });
  });

  it('expires access tokens after their lifetime', async () => {
    zoho.sim.control.configure({ accessTokenTtlSeconds: 60 });
    zoho.token = zoho.sim.control.issueAccessToken().accessToken;
    expect((await call('GET', '/crm/v8/Leads/1')).status).toBe(204);
    zoho.sim.control.advanceClock(60_000);
    expect((await call('GET', '/crm/v8/Leads/1')).status).toBe(401);
  });

  it('answers a token without the needed scope with 401 OAUTH_SCOPE_MISMATCH', async () => {
    zoho.token = zoho.sim.control.issueAccessToken({ scope: 'ZohoCRM.modules.leads.READ' }).accessToken;
    expect(await call('POST', '/crm/v8/Leads', { data: [lead(1)] })).toMatchObject({
      status: 401,
      body: { code: 'OAUTH_SCOPE_MISMATCH', message: 'invalid oauth scope to access this URL' },
    });
    // Search also needs ZohoSearch.securesearch.READ.
    expect((await call('GET', '/crm/v8/Leads/search?email=a@b.cd')).body.code).toBe('OAUTH_SCOPE_MISMATCH');
    expect((await call('GET', '/crm/v8/Leads/1')).status).toBe(204);
  });

  it('sends X-ACCESSTOKEN-RESET with the expiry time in ISO-8601 with offset', async () => {
    const response = await call('GET', '/crm/v8/Leads/1');
    expect(response.headers.get('x-accesstoken-reset')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  });
});

describe('routing', () => {
  it('answers unknown paths with 404 INVALID_URL_PATTERN and unknown modules with 400 INVALID_MODULE', async () => {
    expect(await call('GET', '/crm/v8/Leads/1/notes/x')).toMatchObject({
      status: 404,
      body: { code: 'INVALID_URL_PATTERN' },
    });
    expect((await call('POST', '/crm/v99/Leads', { data: [lead(1)] })).status).toBe(404);
    expect((await call('GET', '/nothing-here', undefined, null)).status).toBe(404);
    // v8 puts these request-level errors inside data[], older versions send them bare
    expect(await call('POST', '/crm/v8/Leadz', { data: [lead(1)] })).toMatchObject({
      status: 400,
      body: { data: [{ code: 'INVALID_MODULE', details: { resource_path_index: 0 } }] },
    });
    expect(await call('POST', '/crm/v7/Leadz', { data: [lead(1)] })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_MODULE', details: { resource_path_index: 0 } },
    });
    expect(await call('GET', '/crm/v8/Leads/upsert')).toMatchObject({
      status: 400,
      body: { data: [{ code: 'INVALID_REQUEST_METHOD' }] },
    });
  });

  it('serves every documented API version', async () => {
    for (const v of ['v2', 'v2.1', 'v5', 'v8']) expect((await call('GET', `/crm/${v}/Leads/1`)).status).toBe(204);
  });
});

describe('insert', () => {
  it('answers 201 with one SUCCESS entry per record, in order, with 19-digit ids', async () => {
    const { status, body } = await call('POST', '/crm/v8/Leads', { data: [lead(1), lead(2)], trigger: [] });
    expect(status).toBe(201);
    expect(body.data).toHaveLength(2);
    for (const entry of body.data) {
      expect(entry).toMatchObject({ code: 'SUCCESS', message: 'record added', status: 'success' });
      expect(entry.details.id).toMatch(/^\d{18,19}$/);
    }
    expect(zoho.sim.control.records().map((r) => r.Email)).toEqual(['lead1@example.com', 'lead2@example.com']);
  });

  it('answers 207 for a mixed batch and 400 when every record fails', async () => {
    const mixed = await call('POST', '/crm/v8/Leads', { data: [lead(1), { Email: 'x@example.com' }] });
    expect(mixed.status).toBe(207);
    expect(mixed.body.data.map((e: { status: string }) => e.status)).toEqual(['success', 'error']);
    expect(mixed.body.data[1]).toEqual({
      code: 'MANDATORY_NOT_FOUND',
      details: { api_name: 'Last_Name', json_path: '$.data[1].Last_Name' },
      message: 'required field not found',
      status: 'error',
    });
    const failed = await call('POST', '/crm/v8/Leads', { data: [{ First_Name: 'a' }, lead(9, { Phone: 'abc' })] });
    expect(failed.status).toBe(400);
    expect(failed.body.data.map((e: { code: string }) => e.code)).toEqual(['MANDATORY_NOT_FOUND', 'INVALID_DATA']);
  });

  it('refuses a duplicate Email (case-insensitive) with DUPLICATE_DATA naming the existing record', async () => {
    const first = await call('POST', '/crm/v8/Leads', { data: [lead(1)] });
    const id = first.body.data[0].details.id;
    const dup = await call('POST', '/crm/v8/Leads', { data: [lead(2, { Email: 'LEAD1@example.com' })] });
    expect(dup.status).toBe(400);
    expect(dup.body.data[0]).toMatchObject({
      code: 'DUPLICATE_DATA',
      details: { api_name: 'Email', duplicate_record: { id, module: { api_name: 'Leads' } }, more_records: false },
    });
    expect(zoho.sim.control.counters().duplicateEmails).toBe(0);
  });

  it('creates a second lead with the same Email when Email is not unique in the org', async () => {
    zoho.sim.control.configure({ uniqueEmail: false });
    await call('POST', '/crm/v8/Leads', { data: [lead(1), lead(1)] });
    expect(zoho.sim.control.counters()).toMatchObject({
      records: 2,
      duplicateEmails: 1,
      duplicateEmailList: ['lead1@example.com'],
    });
  });

  it('refuses malformed bodies at request level', async () => {
    expect(await call('POST', '/crm/v8/Leads', 'not json')).toMatchObject({
      status: 400,
      body: { code: 'INVALID_DATA', details: { expected_data_type: 'jsonobject' }, message: 'body', status: 'error' },
    });
    expect((await call('POST', '/crm/v8/Leads', { data: {} })).body.details).toMatchObject({
      expected_data_type: 'jsonarray',
    });
    const tooMany = await call('POST', '/crm/v8/Leads', { data: Array.from({ length: 101 }, (_, i) => lead(i)) });
    expect(tooMany).toMatchObject({
      status: 400,
      body: { data: [{ code: 'LIMIT_EXCEEDED', details: { maximum_length: 100, api_name: 'data' } }] },
    });
    expect(zoho.sim.control.records()).toHaveLength(0);
  });

  it('honours a configurable set of mandatory fields and custom fields', async () => {
    zoho.sim.control.configure({
      mandatoryFields: ['Last_Name', 'Company'],
      extraFields: { UTM_Source: { type: 'text', maxLength: 5 } },
    });
    const r = await call('POST', '/crm/v8/Leads', {
      data: [lead(1), lead(2, { Company: 'C', UTM_Source: 'toolong' }), lead(3, { Company: 'C', UTM_Source: 'ok' })],
    });
    expect(r.body.data.map((e: { code: string }) => e.code)).toEqual([
      'MANDATORY_NOT_FOUND',
      'INVALID_DATA',
      'SUCCESS',
    ]);
  });
});

describe('upsert', () => {
  it('inserts, then updates on the Email system duplicate check (200, action/duplicate_field)', async () => {
    const first = await call('POST', '/crm/v8/Leads/upsert', { data: [lead(1)], duplicate_check_fields: ['Email'] });
    expect(first.status).toBe(200);
    expect(first.body.data[0]).toMatchObject({ action: 'insert', duplicate_field: null, message: 'record added' });
    const second = await call('POST', '/crm/v8/Leads/upsert', {
      data: [{ Email: 'LEAD1@example.com', Company: 'ACME' }, lead(2)],
    });
    expect(second.status).toBe(200);
    expect(second.body.data).toMatchObject([
      {
        code: 'SUCCESS',
        action: 'update',
        duplicate_field: 'Email',
        message: 'record updated',
        details: { id: first.body.data[0].details.id },
      },
      { code: 'SUCCESS', action: 'insert', duplicate_field: null },
    ]);
    expect(zoho.sim.control.records()).toMatchObject([
      { Last_Name: 'Lead 1', Company: 'ACME' },
      { Last_Name: 'Lead 2' },
    ]);
  });

  it('treats the same person twice in one batch as insert then update', async () => {
    const r = await call('POST', '/crm/v8/Leads/upsert', { data: [lead(1), lead(1, { Phone: '555 1234' })] });
    expect(r.body.data.map((e: { action: string }) => e.action)).toEqual(['insert', 'update']);
    expect(zoho.sim.control.counters().duplicateEmails).toBe(0);
  });

  it('answers 207 for a mixed batch and 400 when all fail', async () => {
    expect((await call('POST', '/crm/v8/Leads/upsert', { data: [lead(1), { Email: 'bad' }] })).status).toBe(207);
    expect((await call('POST', '/crm/v8/Leads/upsert', { data: [{ Email: 'bad' }] })).status).toBe(400);
  });

  it('accepts only system duplicate-check and unique fields in duplicate_check_fields', async () => {
    const phone = await call('POST', '/crm/v8/Leads/upsert', { data: [lead(1)], duplicate_check_fields: ['Phone'] });
    expect(phone).toMatchObject({
      status: 400,
      body: { code: 'INVALID_DATA', details: { api_name: 'duplicate_check_fields' } },
    });
    zoho.sim.control.configure({ uniqueFields: ['Phone'] });
    await call('POST', '/crm/v8/Leads/upsert', {
      data: [{ Last_Name: 'P', Phone: '555 1234' }],
      duplicate_check_fields: ['Phone'],
    });
    const again = await call('POST', '/crm/v8/Leads/upsert', {
      data: [{ Last_Name: 'P2', Phone: '555 1234' }],
      duplicate_check_fields: ['Phone'],
    });
    expect(again.body.data[0]).toMatchObject({ action: 'update', duplicate_field: 'Phone' });
  });

  it('refuses an insert branch that collides on a unique field not used for matching', async () => {
    zoho.sim.control.configure({ uniqueFields: ['Phone'] });
    await call('POST', '/crm/v8/Leads', { data: [lead(1, { Phone: '1' })] });
    const r = await call('POST', '/crm/v8/Leads/upsert', {
      data: [lead(1, { Phone: '2' })],
      duplicate_check_fields: ['Phone'],
    });
    expect(r.body.data[0]).toMatchObject({ code: 'DUPLICATE_DATA', details: { api_name: 'Email' } });
  });
});

describe('update by id', () => {
  it('needs an update scope (ALL, UPDATE or WRITE); CREATE alone is not enough', async () => {
    const [id] = zoho.sim.control.seedRecords([lead(1)]);
    zoho.token = zoho.sim.control.issueAccessToken({ scope: 'ZohoCRM.modules.leads.CREATE' }).accessToken;
    expect(await call('PUT', '/crm/v8/Leads', { data: [{ id, Company: 'X' }] })).toMatchObject({
      status: 401,
      body: { code: 'OAUTH_SCOPE_MISMATCH' },
    });
    zoho.token = zoho.sim.control.issueAccessToken({ scope: 'ZohoCRM.modules.leads.UPDATE' }).accessToken;
    expect((await call('PUT', '/crm/v8/Leads', { data: [{ id, Company: 'X' }] })).status).toBe(200);
  });

  it('with Phone unique in the org, refuses a phone another record holds, and accepts the record its own', async () => {
    zoho.sim.control.configure({ uniqueFields: ['Phone'] });
    const [a, b] = zoho.sim.control.seedRecords([lead(1, { Phone: '+15550001' }), lead(2, { Phone: '+15550002' })]);
    const r = await call('PUT', '/crm/v8/Leads', {
      data: [
        { id: a, Phone: '+15550001', Email: 'new1@example.com' },
        { id: b, Phone: '+15550001' },
      ],
    });
    expect(r.status).toBe(207);
    expect(r.body.data[0]).toMatchObject({ code: 'SUCCESS', details: { id: a } });
    expect(r.body.data[1]).toMatchObject({ code: 'DUPLICATE_DATA', details: { api_name: 'Phone' } });
  });

  it('counts against the sub-concurrency limit above 10 records, and costs 1 credit per 10 records', async () => {
    const ids = zoho.sim.control.seedRecords(Array.from({ length: 20 }, (_, i) => lead(i)));
    const before = zoho.sim.control.counters().creditsUsed;
    await call('PUT', '/crm/v8/Leads', { data: ids.map((id) => ({ id, Company: 'Z' })) });
    expect(zoho.sim.control.counters().creditsUsed - before).toBe(2);
    expect(zoho.sim.control.counters().maxComplexConcurrency).toBe(1);
  });
});

describe('search and get', () => {
  beforeEach(async () => {
    await call('POST', '/crm/v8/Leads', {
      data: [
        lead(1, { Company: 'ABC Inc', Phone: '555-0001' }),
        lead(2, { Company: 'XYZ', Secondary_Email: 'alt@example.com', Mobile: '555-0002' }),
      ],
    });
  });

  it('finds by email in all email fields, and by phone in all phone fields', async () => {
    const byEmail = await call('GET', '/crm/v8/Leads/search?email=LEAD1%40example.com');
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.data).toHaveLength(1);
    expect(byEmail.body.data[0]).toMatchObject({ Email: 'lead1@example.com', $converted: false, First_Name: null });
    expect(byEmail.body.info).toMatchObject({ count: 1, page: 1, per_page: 200, more_records: false });
    expect((await call('GET', '/crm/v8/Leads/search?email=alt%40example.com')).body.data[0].Last_Name).toBe('Lead 2');
    expect((await call('GET', '/crm/v8/Leads/search?phone=555-0002')).body.data[0].Last_Name).toBe('Lead 2');
  });

  it('answers no match with 204 and an empty body', async () => {
    const none = await call('GET', '/crm/v8/Leads/search?email=nobody%40example.com');
    expect(none.status).toBe(204);
    expect(none.text).toBe('');
  });

  it('supports criteria (equals = contains) and word search, with precedence criteria > email', async () => {
    const c = await call(
      'GET',
      `/crm/v8/Leads/search?criteria=${encodeURIComponent('(Company:equals:abc)')}&email=lead2%40example.com`,
    );
    expect(c.body.data.map((r: { Last_Name: string }) => r.Last_Name)).toEqual(['Lead 1']);
    const w = await call('GET', '/crm/v8/Leads/search?word=XYZ');
    expect(w.body.data[0].Last_Name).toBe('Lead 2');
  });

  it('refuses a search without selector, bad criteria or a bad word', async () => {
    expect(await call('GET', '/crm/v8/Leads/search')).toMatchObject({
      status: 400,
      body: { code: 'EXPECTED_PARAM_MISSING' },
    });
    expect((await call('GET', '/crm/v8/Leads/search?criteria=Email:equals:x')).body.code).toBe('INVALID_QUERY');
    expect((await call('GET', '/crm/v8/Leads/search?criteria=(Nope:equals:x)')).body.code).toBe('INVALID_QUERY');
    expect((await call('GET', '/crm/v8/Leads/search?word=a')).body.code).toBe('INVALID_DATA');
    expect((await call('GET', '/crm/v8/Leads/search?word=a%2Ab')).body.code).toBe('INVALID_DATA');
  });

  it('pages results and stops at 2000 records', async () => {
    const p = await call('GET', '/crm/v8/Leads/search?word=example&per_page=1&page=2');
    expect(p.body.info).toMatchObject({ per_page: 1, page: 2, count: 1, more_records: false });
    expect((await call('GET', '/crm/v8/Leads/search?word=example&per_page=200&page=11')).body.code).toBe(
      'LIMIT_REACHED',
    );
  });

  it('hides new records from search during the configured indexing delay', async () => {
    zoho.sim.control.configure({ searchIndexDelayMs: 5_000 });
    await call('POST', '/crm/v8/Leads', { data: [lead(3)] });
    expect((await call('GET', '/crm/v8/Leads/search?email=lead3%40example.com')).status).toBe(204);
    zoho.sim.control.advanceClock(5_000);
    expect((await call('GET', '/crm/v8/Leads/search?email=lead3%40example.com')).status).toBe(200);
  });

  it('gets a record by id, 204 when it does not exist', async () => {
    const [first] = zoho.sim.control.records();
    const r = await call('GET', `/crm/v8/Leads/${first!.id}`);
    expect(r.status).toBe(200);
    expect(r.body.data[0]).toMatchObject({
      id: first!.id,
      Email: 'lead1@example.com',
      Owner: { id: expect.any(String) },
    });
    expect((await call('GET', '/crm/v8/Leads/4876876000000999999')).status).toBe(204);
  });
});

describe('limits', () => {
  it('charges 1 credit per 10 records and reports X-API-CREDITS-REMAINING from 50 % used', async () => {
    zoho.sim.control.configure({ dailyCredits: 40 });
    const r1 = await call('POST', '/crm/v8/Leads', { data: Array.from({ length: 11 }, (_, i) => lead(i)) });
    expect(r1.headers.get('x-api-credits-remaining')).toBeNull();
    expect(zoho.sim.control.counters().creditsUsed).toBe(2);
    zoho.sim.control.useCredits(18);
    const r2 = await call('GET', '/crm/v8/Leads/1');
    expect(r2.headers.get('x-api-credits-remaining')).toBe('19');
    zoho.sim.control.useCredits(19);
    expect(await call('GET', '/crm/v8/Leads/1')).toMatchObject({ status: 429, body: { code: 'TOO_MANY_REQUESTS' } });
    // The window is a rolling 24 hours.
    zoho.sim.control.advanceClock(24 * 60 * 60_000);
    zoho.token = zoho.sim.control.issueAccessToken().accessToken;
    expect((await call('GET', '/crm/v8/Leads/1')).status).toBe(204);
  });

  it('answers 429 beyond the concurrency limit and records the maximum seen', async () => {
    // Two calls held open, then two more while they are: on a loaded machine four calls fired at
    // once may not overlap, so the test waits until the first two are really in flight.
    zoho.sim.control.configure({ concurrencyLimit: 2, latencyMs: 3_000 });
    const held = [1, 2].map(() => call('GET', '/crm/v8/Leads/1'));
    while (zoho.sim.control.counters().inFlight < 2) await new Promise((r) => setTimeout(r, 10));
    const rejected = [await call('GET', '/crm/v8/Leads/1'), await call('GET', '/crm/v8/Leads/1')];
    const results = [...(await Promise.all(held)), ...rejected];
    expect(results.map((r) => r.status).sort()).toEqual([204, 204, 429, 429]);
    const counters = zoho.sim.control.counters();
    // Rejected calls end at once, so the fourth may arrive after the third has already left.
    expect(counters.maxConcurrency).toBeGreaterThanOrEqual(3);
    expect(counters.concurrencyRejections).toBe(2);
    expect(counters.calls.get).toEqual({ '204': 2, '429': 2 });
  });

  it('every 429 tells its cause by X-API-CREDITS-REMAINING: credits left on a concurrency 429, 0 when used up', async () => {
    zoho.sim.control.configure({ dailyCredits: 100, concurrencyLimit: 1, latencyMs: 1_000 });
    zoho.sim.control.useCredits(60);
    const held = call('GET', '/crm/v8/Leads/1');
    while (zoho.sim.control.counters().inFlight < 1) await new Promise((r) => setTimeout(r, 10));
    const collided = await call('GET', '/crm/v8/Leads/1');
    expect(collided.status).toBe(429);
    expect(collided.headers.get('x-api-credits-remaining')).toBe('40');
    expect((await held).headers.get('x-api-credits-remaining')).toBe('39');
    zoho.sim.control.configure({ latencyMs: 0 });
    zoho.sim.control.injectFaults({ kind: 'status', status: 429, endpoint: 'get' });
    const forced = await call('GET', '/crm/v8/Leads/1');
    expect(forced.status).toBe(429);
    expect(forced.headers.get('x-api-credits-remaining')).toBe('39');
    zoho.sim.control.useCredits(39);
    const empty = await call('GET', '/crm/v8/Leads/1');
    expect(empty.status).toBe(429);
    expect(empty.headers.get('x-api-credits-remaining')).toBe('0');
    expect(zoho.sim.control.counters()).toMatchObject({ creditRejections: 1, concurrencyRejections: 1 });
    // credits back as a day later, without moving the clock (the token stays valid)
    zoho.sim.control.resetCredits();
    const back = await call('GET', '/crm/v8/Leads/1');
    expect(back.status).toBe(204);
    expect(back.headers.get('x-api-credits-remaining')).toBeNull();
    expect(zoho.sim.control.counters().creditsRemaining).toBe(99);
  });

  it('applies the sub-concurrency limit to writes of more than 10 records', async () => {
    zoho.sim.control.configure({ subConcurrencyLimit: 1, latencyMs: 150 });
    const big = { data: Array.from({ length: 11 }, (_, i) => lead(i)) };
    const small = { data: [lead(100)] };
    const results = await Promise.all([
      call('POST', '/crm/v8/Leads/upsert', big),
      call('POST', '/crm/v8/Leads/upsert', { data: Array.from({ length: 11 }, (_, i) => lead(i + 50)) }),
      call('POST', '/crm/v8/Leads/upsert', small),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    expect(zoho.sim.control.counters().maxComplexConcurrency).toBe(2);
  });
});
