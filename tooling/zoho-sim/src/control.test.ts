import { describe, expect, it } from '@jest/globals';
import { SimControlClient, startZohoSim } from './index.js';
import { postForm } from './testing.js';
import { withZohoSim } from './with-zoho-sim.js';

const zoho = withZohoSim();

function upsert(records: unknown[], signal?: AbortSignal) {
  return fetch(`${zoho.sim.apiDomain}/crm/v8/Leads/upsert`, {
    method: 'POST',
    headers: { Authorization: `Zoho-oauthtoken ${zoho.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ data: records }),
    signal,
  });
}

const lead = { Last_Name: 'Boyle', Email: 'p.boyle@abc.example' };

describe('fault injection', () => {
  it('fails the next N CRM calls with a status and Zoho body, then recovers', async () => {
    zoho.sim.control.injectFaults({ kind: 'status', status: 500, count: 2 });
    for (let i = 0; i < 2; i += 1) {
      const r = await upsert([lead]);
      expect(r.status).toBe(500);
      expect(await r.json()).toEqual({
        code: 'INTERNAL_ERROR',
        details: {},
        message: 'Internal Server Error',
        status: 'error',
      });
    }
    expect((await upsert([lead])).status).toBe(200);
    expect(zoho.sim.control.counters()).toMatchObject({
      faultsServed: 2,
      records: 1,
      calls: { upsert: { '500': 2, '200': 1 } },
    });
  });

  it('limits a fault to a path or endpoint and leaves accounts calls alone by default', async () => {
    zoho.sim.control.injectFaults({ kind: 'status', status: 503, path: '/Leads/search' });
    const rt = zoho.sim.control.issueRefreshToken();
    const refreshed = await postForm(`${zoho.sim.url}/oauth/v2/token`, {
      grant_type: 'refresh_token',
      client_id: 'sim-client-id',
      client_secret: 'sim-client-secret',
      refresh_token: rt,
    });
    expect(refreshed.body).toHaveProperty('access_token');
    expect((await upsert([lead])).status).toBe(200);
    const search = await fetch(`${zoho.sim.url}/crm/v8/Leads/search?email=x%40ab.cd`, {
      headers: { Authorization: `Zoho-oauthtoken ${zoho.token}` },
    });
    expect(search.status).toBe(503);
    expect(search.headers.get('content-type')).toMatch(/text\/html/);

    zoho.sim.control.injectFaults({ kind: 'status', status: 500, endpoint: 'token', body: { error: 'boom' } });
    const failed = await postForm(`${zoho.sim.url}/oauth/v2/token`, { grant_type: 'refresh_token' });
    expect(failed).toEqual({ status: 500, body: { error: 'boom' } });
  });

  it('hangs a call until the client gives up', async () => {
    zoho.sim.control.injectFaults({ kind: 'hang' });
    await expect(upsert([lead], AbortSignal.timeout(100))).rejects.toThrow();
    expect((await upsert([lead])).status).toBe(200);
    expect(zoho.sim.control.counters().calls.upsert).toEqual({ hung: 1, '200': 1 });
  });

  it('drops the connection', async () => {
    zoho.sim.control.injectFaults({ kind: 'drop' });
    await expect(upsert([lead])).rejects.toThrow(/fetch failed/);
    expect(zoho.sim.control.counters().calls.upsert).toEqual({ dropped: 1 });
  });

  it('can process the call and then lose the answer (phase "after")', async () => {
    zoho.sim.control.injectFaults({ kind: 'drop', phase: 'after' });
    await expect(upsert([lead])).rejects.toThrow();
    expect(zoho.sim.control.records()).toHaveLength(1);
    // A retried upsert updates the same record instead of creating a duplicate.
    const retry = await upsert([lead]);
    expect((await retry.json()).data[0].action).toBe('update');
    expect(zoho.sim.control.counters()).toMatchObject({ records: 1, duplicateEmails: 0 });
  });

  it('rejects records matching a pattern with INVALID_DATA', async () => {
    zoho.sim.control.rejectRecords({ field: 'Email', pattern: /@reject\.example$/i });
    const r = await upsert([lead, { Last_Name: 'X', Email: 'x@REJECT.example' }]);
    expect(r.status).toBe(207);
    expect((await r.json()).data[1]).toEqual({
      code: 'INVALID_DATA',
      details: { api_name: 'Email', json_path: '$.data[1].Email' },
      message: 'invalid data',
      status: 'error',
    });
    zoho.sim.control.clearRejections();
    expect((await upsert([{ Last_Name: 'X', Email: 'x@reject.example' }])).status).toBe(200);
  });
});

describe('counters and reset', () => {
  it('counts records per call and resets everything', async () => {
    await upsert([lead]);
    await upsert([lead, { Last_Name: 'Two', Email: 'two@ab.cd' }]);
    expect(zoho.sim.control.counters()).toMatchObject({
      recordsPerCall: [1, 2],
      records: 2,
      creditsUsed: 2,
      inFlight: 0,
    });
    zoho.sim.control.reset();
    expect(zoho.sim.control.counters()).toMatchObject({ recordsPerCall: [], records: 0, creditsUsed: 0, calls: {} });
    expect((await upsert([lead])).status).toBe(401);
  });

  it('seeds records that upsert then updates', async () => {
    const [id] = zoho.sim.control.seedRecords([{ Last_Name: 'Old', Email: 'p.boyle@abc.example' }]);
    const body = await (await upsert([lead])).json();
    expect(body.data[0]).toMatchObject({ action: 'update', details: { id } });
  });

  it('refuses unknown configuration keys', () => {
    expect(() => zoho.sim.control.configure({ nope: 1 } as never)).toThrow(/unknown configuration key/);
  });
});

describe('HTTP control API (/__sim/)', () => {
  it('offers the same operations to another process', async () => {
    const remote = new SimControlClient(zoho.sim.url);
    await remote.reset();
    await remote.configure({ uniqueEmail: false });
    expect((await remote.config()).uniqueEmail).toBe(false);
    const rt = await remote.issueRefreshToken({ scope: 'ZohoCRM.modules.ALL' });
    const { accessToken, apiDomain } = await remote.issueAccessToken({ refreshToken: rt });
    expect(apiDomain).toBe(zoho.sim.apiDomain);
    zoho.token = accessToken;
    const ids = await remote.injectFaults({ kind: 'status', status: 429 }, { kind: 'status', status: 500 });
    expect(ids).toHaveLength(2);
    expect(await remote.pendingFaults()).toHaveLength(2);
    await remote.clearFaults();
    await remote.rejectRecords({ pattern: '^Reject', field: 'Last_Name' });
    expect((await upsert([{ Last_Name: 'Rejected' }])).status).toBe(400);
    await remote.clearRejections();
    expect((await upsert([lead])).status).toBe(200);
    await remote.seedRecords([{ Last_Name: 'Seeded', Email: 'p.boyle@abc.example' }]);
    expect(await remote.records()).toHaveLength(2);
    expect(await remote.counters()).toMatchObject({ duplicateEmails: 1, records: 2 });
    expect(await remote.expireAccessTokens()).toBe(1);
    expect((await upsert([lead])).status).toBe(401);
    expect(await remote.revokeRefreshToken(rt)).toBe(true);
    await remote.advanceClock(1000);
    await remote.useCredits(10);
    // 10 seeded + the 400 and the 200 upsert; the 401 calls cost nothing.
    expect((await remote.counters()).creditsUsed).toBe(12);
  });

  it('deletes and converts records, and marks Phone unique, for another process', async () => {
    const remote = new SimControlClient(zoho.sim.url);
    await remote.reset();
    const [gone, converted, kept] = await remote.seedRecords([
      { Last_Name: 'Gone', Email: 'gone@example.com' },
      { Last_Name: 'Converted', Email: 'converted@example.com' },
      { Last_Name: 'Kept', Email: 'kept@example.com' },
    ]);
    expect(await remote.deleteRecord(gone!)).toBe(true);
    expect(await remote.deleteRecord(gone!)).toBe(false);
    expect(await remote.convertRecord(converted!)).toBe(true);
    expect((await remote.records()).map((r) => r.id)).toEqual([kept]);
    expect(await remote.convertedRecords()).toEqual([
      expect.objectContaining({ id: converted, Last_Name: 'Converted' }),
    ]);
    expect((await remote.configure({ uniqueFields: ['Phone'] })).uniqueFields).toEqual(['Phone']);
    await remote.reset();
    expect(await remote.convertedRecords()).toEqual([]);
  });

  it('answers bad control requests with 400/404 JSON', async () => {
    const bad = await fetch(`${zoho.sim.url}/__sim/clock`, { method: 'POST', body: '{"advanceMs":"x"}' });
    expect(bad.status).toBe(400);
    expect((await fetch(`${zoho.sim.url}/__sim/nope`)).status).toBe(404);
    await expect(new SimControlClient(zoho.sim.url).configure({ bogus: true } as never)).rejects.toThrow(/bogus/);
  });
});

describe('latency', () => {
  it('delays CRM answers by the configured latency with jitter', async () => {
    zoho.sim.control.configure({ latencyMs: 30, jitterMs: 10 });
    expect((await upsert([lead])).status).toBe(200);
  });
});

describe('close', () => {
  it('closes promptly even with a hung call and an open keep-alive connection', async () => {
    const other = await startZohoSim();
    const t = other.control.issueAccessToken().accessToken;
    other.control.injectFaults({ kind: 'hang' });
    const pending = fetch(`${other.url}/crm/v8/Leads/1`, { headers: { Authorization: `Zoho-oauthtoken ${t}` } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await other.close();
    await expect(pending).rejects.toThrow();
  });
});
