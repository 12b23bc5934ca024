/**
 * The client against the Zoho simulator (a real HTTP server) and a real Redis.
 * Every Redis key of this file lives under its own prefix and is deleted at the end.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startZohoSim, type ZohoSim } from '@leadsync/zoho-sim';
import { Redis } from 'ioredis';
import { encryptSecret } from './crypto.js';
import {
  ConcurrencyLimitError,
  CreditsExhaustedError,
  ReAuthorizeError,
  RejectedRequestError,
  WaitUntilError,
} from './errors.js';
import { createZohoClient, type ZohoClient } from './leads.js';
import { createOAuthClient, type OAuthClient } from './oauth.js';
import { createTokenManager, type TokenManager, type TokenManagerConfig } from './token-manager/index.js';
import { InMemoryTokenStore } from './token-store.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `test:zoho-client:${randomUUID()}:`;
const REDIRECT_URI = 'http://localhost:3000/auth/zoho/callback';
const key = randomBytes(32);

let sim: ZohoSim;
let oauth: OAuthClient;
const connections: Redis[] = [];
let testPrefix = PREFIX;

function redis(): Redis {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  connections.push(connection);
  return connection;
}

/** One "process": its own token manager with its own Redis connection, sharing the store (the database). */
function manager(store: InMemoryTokenStore, overrides: Partial<TokenManagerConfig> = {}): TokenManager {
  return createTokenManager({
    store,
    oauth,
    redis: redis(),
    encryptionKey: key,
    keyPrefix: testPrefix,
    pollIntervalMs: 20,
    ...overrides,
  });
}

function client(tokenManager: TokenManager, overrides: Partial<Parameters<typeof createZohoClient>[0]> = {}) {
  return createZohoClient({ tokenManager, apiDomain: sim.apiDomain, ...overrides });
}

/** A store holding a valid refresh token and an access token that has already expired. */
async function storeWithExpiredToken(): Promise<{ store: InMemoryTokenStore; refreshToken: string }> {
  const refreshToken = sim.control.issueRefreshToken();
  const stale = sim.control.issueAccessToken({ refreshToken });
  const store = new InMemoryTokenStore({
    accessTokenCiphertext: encryptSecret(stale.accessToken, key, 'zoho:access_token'),
    refreshTokenCiphertext: encryptSecret(refreshToken, key, 'zoho:refresh_token'),
    accessTokenExpiresAt: new Date(Date.now() - 1000),
    accessTokenIssuedAt: null,
    apiDomain: sim.apiDomain,
    accountsServer: sim.accountsUrl,
    lastRefreshAt: null,
    lastRefreshErrorCode: null,
    lastRefreshErrorMessage: null,
    lastRefreshErrorAt: null,
  });
  return { store, refreshToken };
}

async function connectedStore(): Promise<{ store: InMemoryTokenStore; refreshToken: string }> {
  const refreshToken = sim.control.issueRefreshToken();
  const store = new InMemoryTokenStore();
  await manager(store).seedRefreshToken({ refreshToken, accountsServer: sim.accountsUrl, apiDomain: sim.apiDomain });
  return { store, refreshToken };
}

const refreshes = () => sim.control.counters().refreshes.total;
const callsTo = (endpoint: string) => sim.control.counters().calls[endpoint] ?? {};

beforeAll(async () => {
  sim = await startZohoSim({ port: 0, dataCenters: ['eu'] });
  oauth = createOAuthClient({
    accountsUrl: sim.accountsUrl,
    clientId: 'sim-client-id',
    clientSecret: 'sim-client-secret',
    redirectUri: REDIRECT_URI,
    trustedAccountsServers: [sim.dataCenters.eu?.accountsUrl ?? ''],
  });
});

beforeEach(() => {
  sim.control.reset();
  testPrefix = `${PREFIX}${randomUUID()}:`;
});

afterAll(async () => {
  const cleaner = redis();
  let cursor = '0';
  do {
    const [next, keys] = await cleaner.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await cleaner.del(...keys);
  } while (cursor !== '0');
  await Promise.all(connections.map((c) => c.quit()));
  await sim?.close();
});

/** Follows the consent URL like a browser and returns the redirect's parameters. */
async function consent(oauthClient: OAuthClient, state: string): Promise<URLSearchParams> {
  const response = await fetch(oauthClient.buildConsentUrl({ state }), { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location') ?? '').searchParams;
}

describe('OAuth against the simulator', () => {
  it('consent URL → code → exchange → stored, encrypted tokens → CRM call', async () => {
    const params = await consent(oauth, 'csrf-1');
    expect(params.get('state')).toBe('csrf-1');
    const grant = await oauth.exchangeCode({
      code: params.get('code') ?? '',
      accountsServer: params.get('accounts-server'),
    });
    expect(grant.refreshToken).toEqual(expect.any(String));
    expect(grant.apiDomain).toBe(sim.apiDomain);
    expect(grant.expiresInMs).toBeGreaterThan(3_500_000);
    expect(sim.control.counters().codeExchanges).toBe(1);

    const store = new InMemoryTokenStore();
    const tm = manager(store);
    await tm.saveGrant(grant);
    const stored = await store.load();
    expect(stored?.refreshTokenCiphertext).toMatch(/^v1:/);
    expect(JSON.stringify(stored)).not.toContain(grant.refreshToken as string);
    expect(JSON.stringify(stored)).not.toContain(grant.accessToken);

    // The exchanged access token is used as is: no refresh needed.
    expect(await client(tm).searchLeads({ email: 'nobody@example.com' })).toEqual([]);
    expect(refreshes()).toBe(0);

    // Codes are single-use: Zoho's HTTP-200 invalid_code becomes ReAuthorizeError.
    await expect(
      oauth.exchangeCode({ code: params.get('code') ?? '', accountsServer: params.get('accounts-server') }),
    ).rejects.toMatchObject({ name: 'ReAuthorizeError', code: 'invalid_code' });
  });

  it('follows the accounts-server of another data centre and its api_domain', async () => {
    const eu = sim.dataCenters.eu;
    if (!eu) throw new Error('simulator has no eu data centre');
    sim.control.configure({ userLocation: 'eu' });
    const params = await consent(oauth, 'csrf-eu');
    expect(params.get('accounts-server')).toBe(eu.accountsUrl);
    const grant = await oauth.exchangeCode({
      code: params.get('code') ?? '',
      accountsServer: params.get('accounts-server'),
    });
    expect(grant.accountsServer).toBe(eu.accountsUrl);
    expect(grant.apiDomain).toBe(eu.apiDomain);

    const store = new InMemoryTokenStore();
    const tm = manager(store);
    await tm.saveGrant(grant);
    // Force a refresh: it must go to the EU accounts server (the US one answers invalid_client).
    await tm.forceRefresh();
    const [result] = await client(tm).upsertLeads([{ Last_Name: 'Eu', Email: 'eu@example.com' }]);
    expect(result).toMatchObject({ ok: true, action: 'insert' });
    expect(sim.control.counters().tokenErrors).toEqual({});
  });

  it('refuses an accounts-server that is not trusted, without calling it', async () => {
    const strict = createOAuthClient({
      accountsUrl: sim.accountsUrl,
      clientId: 'sim-client-id',
      clientSecret: 'sim-client-secret',
      redirectUri: REDIRECT_URI,
    });
    await expect(
      strict.exchangeCode({ code: '1000.x', accountsServer: sim.dataCenters.eu?.accountsUrl ?? '' }),
    ).rejects.toBeInstanceOf(RejectedRequestError);
    expect(callsTo('token')).toEqual({});
  });

  it('maps a wrong client secret (HTTP 200 error) to FixConfigError', async () => {
    const wrong = createOAuthClient({
      accountsUrl: sim.accountsUrl,
      clientId: 'sim-client-id',
      clientSecret: 'not-the-secret',
      redirectUri: REDIRECT_URI,
    });
    await expect(wrong.refreshAccessToken({ refreshToken: sim.control.issueRefreshToken() })).rejects.toMatchObject({
      name: 'FixConfigError',
      code: 'invalid_client_secret',
    });
  });

  it('revokes a refresh token; a second revoke reports it already invalid', async () => {
    const refreshToken = sim.control.issueRefreshToken();
    expect(await oauth.revokeToken({ token: refreshToken })).toBe(true);
    expect(await oauth.revokeToken({ token: refreshToken })).toBe(false);
  });
});

describe('token manager against the simulator', () => {
  it('refreshes once and then serves the cached token', async () => {
    const { store } = await connectedStore();
    const tm = manager(store);
    const first = await tm.getValidAccessToken();
    expect(await tm.getValidAccessToken()).toBe(first);
    expect(refreshes()).toBe(1);
    // A second "process" finds the token in the store.
    expect(await manager(store).getValidAccessToken()).toBe(first);
    expect(refreshes()).toBe(1);
    expect((await tm.status()).lastRefreshAt).toBeInstanceOf(Date);
  });

  it('concurrent getValidAccessToken() from 8 Redis-connected instances → exactly 1 refresh', async () => {
    sim.control.configure({ accountsLatencyMs: 150 }); // a slow token endpoint widens the race
    const { store } = await storeWithExpiredToken();
    const managers = Array.from({ length: 8 }, () => manager(store));
    const tokens = await Promise.all(managers.flatMap((m) => [m.getValidAccessToken(), m.getValidAccessToken()]));
    expect(refreshes()).toBe(1);
    expect(new Set(tokens).size).toBe(1);
  });

  it('control: without a shared Redis lock the same race refreshes more than once', async () => {
    // Shows the test above can fail: separate key prefixes = no shared lock.
    sim.control.configure({ accountsLatencyMs: 150 });
    const { store } = await storeWithExpiredToken();
    const managers = Array.from({ length: 4 }, () => manager(store, { keyPrefix: `${PREFIX}${randomUUID()}:` }));
    await Promise.all(managers.map((m) => m.getValidAccessToken()));
    expect(refreshes()).toBeGreaterThan(1);
  });

  it('never reaches Zoho’s token throttle under a refresh storm', async () => {
    const { store } = await connectedStore();
    const managers = Array.from({ length: 6 }, () => manager(store));
    const outcomes: PromiseSettledResult<unknown>[] = [];
    for (let round = 0; round < 14; round += 1) {
      outcomes.push(...(await Promise.allSettled(managers.map((m) => m.forceRefresh()))));
    }
    const counters = sim.control.counters();
    expect(counters.throttledRefreshes).toBe(0);
    expect(counters.tokenErrors).toEqual({});
    expect(counters.refreshes.total).toBe(9); // our limit: 9 of Zoho's 10 per 10 minutes
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) {
      expect(error).toBeInstanceOf(WaitUntilError);
      expect(error).toMatchObject({ code: 'REFRESH_THROTTLED' });
      expect((error as WaitUntilError).resetAt.getTime()).toBeGreaterThan(Date.now());
    }
    const status = await managers[0]?.status();
    expect(status?.refreshesInWindow).toBe(9);
    expect(status?.throttledUntil).toBeInstanceOf(Date);
    expect(status?.lastRefreshError?.code).toBe('REFRESH_THROTTLED');
    // Cached tokens keep working while refreshes are refused.
    await expect(managers[0]?.getValidAccessToken()).resolves.toEqual(expect.any(String));
  });

  it('when Zoho itself says "Access Denied", every process stops refreshing for Zoho’s window', async () => {
    sim.control.configure({ refreshThrottle: { max: 2, windowMs: 600_000 } });
    const { store } = await connectedStore();
    const a = manager(store);
    const b = manager(store);
    await a.forceRefresh();
    await a.forceRefresh();
    await expect(a.forceRefresh()).rejects.toMatchObject({ name: 'WaitUntilError', code: 'ACCESS_DENIED' });
    expect(sim.control.counters().throttledRefreshes).toBe(1);
    // Another process does not even ask Zoho.
    await expect(b.forceRefresh()).rejects.toBeInstanceOf(WaitUntilError);
    expect(sim.control.counters().throttledRefreshes).toBe(1);
    expect((await store.load())?.lastRefreshErrorCode).toBe('ACCESS_DENIED');
  });

  it('a revoked refresh token → ReAuthorizeError, recorded for health, not retried by other processes', async () => {
    const { store, refreshToken } = await connectedStore();
    sim.control.revokeRefreshToken(refreshToken);
    const a = manager(store);
    await expect(a.getValidAccessToken()).rejects.toMatchObject({ name: 'ReAuthorizeError', code: 'invalid_code' });
    const tokenCalls = Object.values(callsTo('token')).reduce((sum, n) => sum + n, 0);
    await expect(manager(store).getValidAccessToken()).rejects.toBeInstanceOf(ReAuthorizeError);
    expect(Object.values(callsTo('token')).reduce((sum, n) => sum + n, 0)).toBe(tokenCalls);

    const stored = await store.load();
    expect(stored?.lastRefreshErrorCode).toBe('invalid_code');
    expect(stored?.lastRefreshErrorAt).toBeInstanceOf(Date);
    const status = await a.status();
    expect(status).toMatchObject({ refreshFailing: true, needsReauthorization: true });

    // Re-authorising (a new grant) heals it.
    const params = await consent(oauth, 'again');
    await a.saveGrant(await oauth.exchangeCode({ code: params.get('code') ?? '' }));
    expect((await a.status()).needsReauthorization).toBe(false);
    await expect(a.getValidAccessToken()).resolves.toEqual(expect.any(String));
  });
});

describe('Leads API against the simulator', () => {
  let tm: TokenManager;
  let zoho: ZohoClient;

  beforeEach(async () => {
    const { store } = await connectedStore();
    tm = manager(store);
    zoho = client(tm);
  });

  it('401 INVALID_TOKEN → one refresh → one retry, shared by concurrent requests of two processes', async () => {
    const { store } = await connectedStore();
    const tmA = manager(store);
    const tmB = manager(store);
    const a = client(tmA);
    const b = client(tmB);
    await a.searchLeads({ email: 'warm@example.com' });
    await b.searchLeads({ email: 'warm@example.com' });
    expect(refreshes()).toBe(1);

    sim.control.expireAccessTokens();
    const results = await Promise.all(
      [a, b, a, b, a, b].map((c, i) => c.upsertLeads([{ Last_Name: `R${i}`, Email: `r${i}@example.com` }])),
    );
    expect(results.flat().every((r) => r.ok)).toBe(true);
    expect(refreshes()).toBe(2);
    expect(callsTo('upsert')['401']).toBeGreaterThanOrEqual(1);
  });

  it('401 again right after a refresh → RetryLaterError, after exactly one refresh', async () => {
    await zoho.searchLeads({ email: 'warm@example.com' });
    const before = refreshes();
    sim.control.injectFaults({ kind: 'status', status: 401, endpoint: 'upsert', count: 2 });
    await expect(zoho.upsertLeads([{ Last_Name: 'X', Email: 'x@example.com' }])).rejects.toMatchObject({
      name: 'RetryLaterError',
      code: 'INVALID_TOKEN',
    });
    expect(refreshes()).toBe(before + 1);
  });

  it('429 with credits left → ConcurrencyLimitError retried in about a second; a Retry-After wins', async () => {
    sim.control.injectFaults({ kind: 'status', status: 429, endpoint: 'upsert' });
    const before = Date.now();
    const error = await zoho.upsertLeads([{ Last_Name: 'X', Email: 'x@example.com' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrencyLimitError);
    expect(error).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429, creditsRemaining: null });
    const wait = (error as ConcurrencyLimitError).retryAt.getTime() - before;
    expect(wait).toBeGreaterThanOrEqual(500);
    expect(wait).toBeLessThanOrEqual(1500 + (Date.now() - before));

    sim.control.injectFaults({ kind: 'status', status: 429, endpoint: 'search', headers: { 'Retry-After': '5' } });
    const withHeader = await zoho.searchLeads({ email: 'x@example.com' }).catch((e: unknown) => e);
    expect(withHeader).toBeInstanceOf(ConcurrencyLimitError);
    expect((withHeader as ConcurrencyLimitError).retryAt.getTime() - before).toBeGreaterThanOrEqual(5_000);
  });

  it('the real credit budget running out is a 429 for credits, and every answer reports the credits left', async () => {
    const readings: Array<number | null> = [];
    const counting = client(tm, { onCredits: (r) => readings.push(r.remaining) });
    sim.control.configure({ dailyCredits: 4 });
    await counting.searchLeads({ email: 'a@example.com' }); // 1 used: under half, no header
    await counting.searchLeads({ email: 'a@example.com' }); // 2 used: header says 2
    await counting.upsertLeads([{ Last_Name: 'C', Email: 'c@example.com' }]);
    await counting.searchLeads({ email: 'a@example.com' });
    const error = await counting.searchLeads({ email: 'a@example.com' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CreditsExhaustedError);
    expect(error).toBeInstanceOf(WaitUntilError);
    expect(readings).toEqual([null, 2, 1, 0, 0]);
  });

  it.each([
    [500, 'INTERNAL_ERROR'],
    [503, 'HTTP_503'],
  ])('HTTP %i → RetryLaterError %s, not retried inside the client', async (status, code) => {
    sim.control.injectFaults({ kind: 'status', status, endpoint: 'upsert' });
    await expect(zoho.upsertLeads([{ Last_Name: 'X', Email: 'x@example.com' }])).rejects.toMatchObject({
      name: 'RetryLaterError',
      code,
      status,
    });
    expect(callsTo('upsert')).toEqual({ [String(status)]: 1 });
  });

  it('a dropped connection is retried once (upsert is idempotent); two drops → RetryLaterError', async () => {
    sim.control.injectFaults({ kind: 'drop', endpoint: 'upsert' });
    const [ok] = await zoho.upsertLeads([{ Last_Name: 'Drop', Email: 'drop@example.com' }]);
    expect(ok).toMatchObject({ ok: true });
    sim.control.injectFaults({ kind: 'drop', endpoint: 'upsert', count: 2 });
    await expect(zoho.upsertLeads([{ Last_Name: 'Drop', Email: 'drop@example.com' }])).rejects.toMatchObject({
      name: 'RetryLaterError',
      code: 'NETWORK_ERROR',
    });
    expect(sim.control.counters().duplicateEmails).toBe(0);
  });

  it('a timeout → RetryLaterError TIMEOUT and no second attempt', async () => {
    const impatient = client(tm, { timeoutMs: 300 });
    await impatient.searchLeads({ email: 'warm@example.com' });
    sim.control.injectFaults({ kind: 'hang', endpoint: 'upsert' });
    await expect(impatient.upsertLeads([{ Last_Name: 'Slow', Email: 'slow@example.com' }])).rejects.toMatchObject({
      name: 'RetryLaterError',
      code: 'TIMEOUT',
    });
    expect(sim.control.counters().pendingFaults).toBe(0);
    expect(callsTo('upsert')['200']).toBeUndefined();
  });

  it('a partial batch maps every result back to its record, in order', async () => {
    const [existingId] = sim.control.seedRecords([{ Last_Name: 'Old', Email: 'known@example.com' }]);
    sim.control.rejectRecords({ pattern: 'reject-me', field: 'Email', code: 'INVALID_DATA', message: 'refused' });
    const records = [
      { Last_Name: 'Fine', Email: 'fine@example.com' },
      { Last_Name: 'Bad Phone', Email: 'badphone@example.com', Phone: 'call me maybe' },
      { Email: 'noname@example.com' },
      { Last_Name: 'Phone Only', Phone: '+15550001111' },
      { Last_Name: 'Known', Email: 'KNOWN@example.com' },
      { Last_Name: 'Rejected', Email: 'reject-me@example.com' },
    ];
    const results = await zoho.upsertLeads(records);
    expect(results).toHaveLength(records.length);
    expect(results[0]).toMatchObject({ ok: true, action: 'insert' });
    expect(results[1]).toMatchObject({ ok: false, code: 'INVALID_DATA', field: 'Phone', retryable: false });
    expect(results[2]).toMatchObject({ ok: false, code: 'MANDATORY_NOT_FOUND', field: 'Last_Name', retryable: false });
    expect(results[3]).toMatchObject({ ok: true, action: 'insert' });
    expect(results[4]).toEqual({ ok: true, zohoId: existingId, action: 'update', duplicateField: 'Email' });
    expect(results[5]).toMatchObject({ ok: false, code: 'INVALID_DATA', message: 'refused', field: 'Email' });

    const stored = new Map(sim.control.records().map((r) => [r.id, r]));
    for (const [i, result] of results.entries()) {
      if (!result.ok) continue;
      expect(stored.get(result.zohoId)).toMatchObject({ Last_Name: records[i]?.Last_Name });
    }
  });

  it('splits email and phone records into at most two calls; Phone dedupe where the org allows it', async () => {
    sim.control.configure({ uniqueFields: ['Phone'] });
    const batch = [
      { Last_Name: 'E1', Email: 'e1@example.com', Phone: '+15550000001' },
      { Last_Name: 'P1', Phone: '+15550000002' },
      { Last_Name: 'E2', Email: 'e2@example.com' },
    ];
    const first = await zoho.upsertLeads(batch);
    expect(first.map((r) => r.ok && r.action)).toEqual(['insert', 'insert', 'insert']);
    expect(sim.control.counters().recordsPerCall).toEqual([2, 1]);

    const second = await zoho.upsertLeads([{ Last_Name: 'P1 again', Phone: '+15550000002' }, ...batch]);
    expect(second.map((r) => r.ok && r.action)).toEqual(['update', 'update', 'update', 'update']);
    expect(second[0]).toMatchObject({ duplicateField: 'Phone' });
    expect(sim.control.counters().records).toBe(3);
  });

  it('where Phone is not unique in the org, email-less leads are inserted on Zoho’s default check', async () => {
    const first = await zoho.upsertLeads([{ Last_Name: 'P', Phone: '+15550000009' }]);
    expect(first[0]).toMatchObject({ ok: true, action: 'insert' });
    expect(callsTo('upsert')['400']).toBe(1); // Zoho refused duplicate_check_fields ["Phone"] once…
    await zoho.upsertLeads([{ Last_Name: 'Q', Phone: '+15550000010' }]);
    expect(callsTo('upsert')['400']).toBe(1); // …and is not asked again
  });

  it('upserting the same batch twice leaves one record per person', async () => {
    const batch = Array.from({ length: 30 }, (_, i) => ({ Last_Name: `L${i}`, Email: `same${i}@example.com` }));
    await zoho.upsertLeads(batch);
    const again = await zoho.upsertLeads(batch);
    expect(again.every((r) => r.ok && r.action === 'update')).toBe(true);
    expect(sim.control.counters().records).toBe(30);
    expect(sim.control.counters().duplicateEmails).toBe(0);
  });

  it('refuses more than 100 records before calling Zoho', async () => {
    const batch = Array.from({ length: 101 }, (_, i) => ({ Last_Name: `L${i}`, Email: `m${i}@example.com` }));
    await expect(zoho.upsertLeads(batch)).rejects.toMatchObject({ code: 'TOO_MANY_RECORDS' });
    expect(callsTo('upsert')).toEqual({});
    expect(await zoho.upsertLeads([])).toEqual([]);
  });

  it('updates known records by id: that record only, nothing matched by Email/Phone, results in order', async () => {
    const [phoneFirst, other] = sim.control.seedRecords([
      { Last_Name: 'Pat', Phone: '+15550000100' },
      { Last_Name: 'Other', Email: 'taken@example.com' },
    ]);
    const gone = sim.control.seedRecords([{ Last_Name: 'Gone', Email: 'gone@example.com' }])[0]!;
    sim.control.deleteRecord(gone);
    const results = await zoho.updateLeads([
      { id: phoneFirst!, Last_Name: 'Pat', Email: 'pat@example.com', Phone: '+15550000100' },
      { id: gone, Last_Name: 'Gone', Email: 'gone@example.com' },
      { id: other!, Last_Name: 'Other', Phone: 'call me maybe' },
    ]);
    expect(results).toEqual([
      { ok: true, zohoId: phoneFirst, action: 'update' },
      expect.objectContaining({ ok: false, code: 'INVALID_DATA', field: 'id', recordGone: true, retryable: false }),
      expect.objectContaining({ ok: false, code: 'INVALID_DATA', field: 'Phone', retryable: false }),
    ]);
    expect(results[2]).not.toHaveProperty('recordGone');
    expect(sim.control.records()).toEqual([
      expect.objectContaining({ id: phoneFirst, Email: 'pat@example.com' }),
      expect.objectContaining({ id: other, Email: 'taken@example.com' }),
    ]);
    expect(sim.control.counters().writeCalls).toEqual([{ endpoint: 'update', records: 3, status: 207 }]);
  });

  it('updates up to 100 records in one call and refuses more before calling Zoho', async () => {
    const ids = sim.control.seedRecords(Array.from({ length: 100 }, (_, i) => ({ Last_Name: `U${i}` })));
    const results = await zoho.updateLeads(ids.map((id) => ({ id, Company: 'Updated' })));
    expect(results.every((r) => r.ok && r.action === 'update')).toBe(true);
    expect(sim.control.counters().recordsPerCall).toEqual([100]);
    const tooMany = [...ids, ids[0]!].map((id) => ({ id, Company: 'Again' }));
    await expect(zoho.updateLeads(tooMany)).rejects.toMatchObject({ code: 'TOO_MANY_RECORDS' });
    await expect(zoho.updateLeads([{ Company: 'No id' } as never])).rejects.toMatchObject({
      code: 'MISSING_RECORD_ID',
    });
    expect(sim.control.counters().recordsPerCall).toEqual([100]);
    expect(await zoho.updateLeads([])).toEqual([]);
  });

  /** The simulator's own answer to a write of 101 records (v8: the error inside data[]). */
  async function limitExceededBody(): Promise<{ data: unknown[] }> {
    const response = await fetch(`${sim.apiDomain}/crm/v8/Leads`, {
      method: 'POST',
      headers: {
        authorization: `Zoho-oauthtoken ${sim.control.issueAccessToken().accessToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ data: Array.from({ length: 101 }, () => ({ Last_Name: 'x' })) }),
    });
    return (await response.json()) as { data: unknown[] };
  }
  it.each([
    ['inside data[] (v8)', (b: { data: unknown[] }) => b],
    ['as a bare object (older versions)', (b: { data: unknown[] }) => b.data[0]],
  ])('a request-level error %s fails every record of the call alike, none as a missing result', async (_, shape) => {
    const body = shape(await limitExceededBody());
    expect(JSON.stringify(body)).toContain('LIMIT_EXCEEDED');
    sim.control.injectFaults(
      { kind: 'status', status: 400, endpoint: 'upsert', body },
      { kind: 'status', status: 400, endpoint: 'update', body },
    );
    const batch = [1, 2, 3].map((i) => ({ Last_Name: `L${i}`, Email: `limit${i}@example.com` }));
    const upserted = await zoho.upsertLeads(batch);
    const [id] = sim.control.seedRecords([{ Last_Name: 'Known' }]);
    const updated = await zoho.updateLeads([
      { id: id!, Company: 'A' },
      { id: id!, Company: 'B' },
    ]);
    for (const result of [...upserted, ...updated]) {
      expect(result).toMatchObject({ ok: false, code: 'LIMIT_EXCEEDED', retryable: false });
    }
  });

  it('INVALID_MODULE inside data[] (v8) is a configuration problem, thrown for the whole call', async () => {
    sim.control.injectFaults({
      kind: 'status',
      status: 400,
      endpoint: 'update',
      body: { data: [{ code: 'INVALID_MODULE', details: { resource_path_index: 0 }, message: 'm', status: 'error' }] },
    });
    const [id] = sim.control.seedRecords([{ Last_Name: 'Known' }]);
    await expect(zoho.updateLeads([{ id: id!, Company: 'A' }])).rejects.toMatchObject({
      name: 'FixConfigError',
      code: 'INVALID_MODULE',
    });
  });

  it('searches by email and phone; no match (204) → []', async () => {
    const [result] = await zoho.upsertLeads([
      { Last_Name: 'Findme', Email: 'find.me@example.com', Phone: '+15551230000' },
    ]);
    const id = result?.ok ? result.zohoId : 'missing';
    expect((await zoho.searchLeads({ email: 'Find.Me@example.com' })).map((r) => r.id)).toEqual([id]);
    expect((await zoho.searchLeads({ phone: '+15551230000' })).map((r) => r.id)).toEqual([id]);
    expect(await zoho.searchLeads({ email: 'nobody@example.com' })).toEqual([]);
  });

  it('a missing scope is a configuration problem, not a token problem', async () => {
    const refreshToken = sim.control.issueRefreshToken({ scope: 'ZohoCRM.modules.leads.ALL' });
    const store = new InMemoryTokenStore();
    const limited = manager(store);
    await limited.seedRefreshToken({ refreshToken, accountsServer: sim.accountsUrl, apiDomain: sim.apiDomain });
    await expect(client(limited).searchLeads({ email: 'a@example.com' })).rejects.toMatchObject({
      name: 'FixConfigError',
      code: 'OAUTH_SCOPE_MISMATCH',
    });
    expect(refreshes()).toBe(1);
  });

  it('retries nothing when the store has no tokens: ReAuthorize NOT_CONNECTED', async () => {
    const empty = manager(new InMemoryTokenStore());
    await expect(client(empty).searchLeads({ email: 'a@example.com' })).rejects.toMatchObject({
      name: 'ReAuthorizeError',
      code: 'NOT_CONNECTED',
    });
  });

  it('RetryLaterError for an unreachable API host', async () => {
    // The manager reports an API domain where nothing listens (connection refused).
    const broken = createZohoClient({
      tokenManager: {
        getCredentials: async () => ({ ...(await tm.getCredentials()), apiDomain: 'http://127.0.0.1:1' }),
        invalidate: tm.invalidate,
      },
    });
    await expect(broken.searchLeads({ email: 'a@example.com' })).rejects.toMatchObject({
      name: 'RetryLaterError',
      code: 'NETWORK_ERROR',
    });
  });
});
