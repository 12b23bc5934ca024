import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startZohoSim, type ZohoSim } from './index.js';
import { consent, postForm } from './testing.js';

const CLIENT = { client_id: 'sim-client-id', client_secret: 'sim-client-secret' };
const REDIRECT = 'http://localhost:3000/auth/zoho/callback';

let sim: ZohoSim;

beforeAll(async () => {
  sim = await startZohoSim({ dataCenters: ['eu'] });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.control.reset();
});

async function exchange(code: string, extra: Record<string, string> = {}, base = sim.accountsUrl) {
  return postForm(`${base}/oauth/v2/token`, {
    grant_type: 'authorization_code',
    ...CLIENT,
    redirect_uri: REDIRECT,
    code,
    ...extra,
  });
}

async function refresh(refreshToken: string, base = sim.accountsUrl) {
  return postForm(`${base}/oauth/v2/token`, { grant_type: 'refresh_token', ...CLIENT, refresh_token: refreshToken });
}

describe('consent page', () => {
  it('auto-approves and redirects with state first, code, location, accounts-server and a trailing &', async () => {
    const result = await consent(sim.accountsUrl, { redirectUri: REDIRECT, state: 'xyz' });
    expect(result.redirect).toMatch(
      new RegExp(`^${REDIRECT}\\?state=xyz&code=1000\\.[0-9a-f]+\\.[0-9a-f]+&location=us&accounts-server=[^&]+&$`),
    );
    expect(result.accountsServer).toBe(sim.accountsUrl);
    expect(result.location).toBe('us');
  });

  it('shows an error page (no redirect) for an unknown client or a bad redirect_uri', async () => {
    const bad = await fetch(
      `${sim.url}/oauth/v2/auth?client_id=nope&response_type=code&redirect_uri=${REDIRECT}&scope=x`,
      {
        redirect: 'manual',
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.headers.get('location')).toBeNull();
    sim.control.configure({
      clients: [{ clientId: 'sim-client-id', clientSecret: 'sim-client-secret', redirectUris: [REDIRECT] }],
    });
    await expect(consent(sim.url, { redirectUri: 'http://evil.example/cb' })).rejects.toThrow(/400/);
    await expect(consent(sim.url, { redirectUri: REDIRECT })).resolves.toMatchObject({ location: 'us' });
  });

  it('redirects with error=access_denied when the user denies or the grant throttle is hit', async () => {
    sim.control.configure({ consent: 'deny' });
    await expect(consent(sim.url, { state: 's' })).rejects.toThrow(/access_denied/);
    sim.control.configure({ consent: 'approve', grantThrottle: { max: 2, windowMs: 60_000 } });
    await consent(sim.url);
    await consent(sim.url);
    await expect(consent(sim.url)).rejects.toThrow(/access_denied/);
    sim.control.advanceClock(60_000);
    await expect(consent(sim.url)).resolves.toBeDefined();
  });
});

describe('token endpoint: authorization_code', () => {
  it("exchanges a code (form body) for tokens in Zoho's success shape", async () => {
    const { code } = await consent(sim.url, { redirectUri: REDIRECT });
    const { status, body } = await exchange(code);
    expect(status).toBe(200);
    expect(body).toEqual({
      access_token: expect.stringMatching(/^1000\./),
      refresh_token: expect.stringMatching(/^1000\./),
      api_domain: sim.apiDomain,
      token_type: 'Bearer',
      expires_in: 3600,
    });
  });

  it('accepts the parameters in the query string too', async () => {
    const { code } = await consent(sim.url, { redirectUri: REDIRECT });
    const q = new URLSearchParams({ grant_type: 'authorization_code', ...CLIENT, redirect_uri: REDIRECT, code });
    const response = await fetch(`${sim.url}/oauth/v2/token?${q}`, { method: 'POST' });
    expect(response.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(await response.json()).toHaveProperty('access_token');
  });

  it('makes codes single-use and short-lived, answering invalid_code with HTTP 200', async () => {
    const first = await consent(sim.url, { redirectUri: REDIRECT });
    expect((await exchange(first.code)).body).toHaveProperty('access_token');
    expect(await exchange(first.code)).toEqual({ status: 200, body: { error: 'invalid_code' } });
    const second = await consent(sim.url, { redirectUri: REDIRECT });
    sim.control.advanceClock(121_000);
    expect(await exchange(second.code)).toEqual({ status: 200, body: { error: 'invalid_code' } });
    expect(sim.control.counters().tokenErrors).toEqual({ invalid_code: 2 });
  });

  it("answers client, secret, redirect and grant-type problems with Zoho's error bodies", async () => {
    const { code } = await consent(sim.url, { redirectUri: REDIRECT });
    expect((await exchange(code, { client_id: 'other' })).body).toEqual({ error: 'invalid_client' });
    expect((await exchange(code, { client_secret: 'wrong' })).body).toEqual({ error: 'invalid_client_secret' });
    expect((await exchange(code, { redirect_uri: 'http://other/cb' })).body).toEqual({ error: 'invalid_redirect_uri' });
    expect((await exchange(code, { grant_type: 'password' })).body).toEqual({ error: 'unsupported_grant_type' });
    // None of the failed attempts used the code up.
    expect((await exchange(code)).body).toHaveProperty('access_token');
  });

  it('issues a refresh token only on the first offline consent, or again with prompt=consent', async () => {
    const first = await exchange((await consent(sim.url, { redirectUri: REDIRECT })).code);
    expect(first.body).toHaveProperty('refresh_token');
    const again = await exchange((await consent(sim.url, { redirectUri: REDIRECT })).code);
    expect(again.body).not.toHaveProperty('refresh_token');
    const forced = await exchange((await consent(sim.url, { redirectUri: REDIRECT, prompt: 'consent' })).code);
    expect(forced.body).toHaveProperty('refresh_token');
    sim.control.reset();
    const online = await exchange((await consent(sim.url, { redirectUri: REDIRECT, accessType: 'online' })).code);
    expect(online.body).not.toHaveProperty('refresh_token');
  });
});

describe('token endpoint: refresh_token', () => {
  it('returns a new access token with scope and no refresh token', async () => {
    const rt = sim.control.issueRefreshToken();
    const { status, body } = await refresh(rt);
    expect(status).toBe(200);
    expect(body).toEqual({
      access_token: expect.stringMatching(/^1000\./),
      scope: 'ZohoCRM.modules.leads.ALL ZohoSearch.securesearch.READ',
      api_domain: sim.apiDomain,
      token_type: 'Bearer',
      expires_in: 3600,
    });
    expect(sim.control.counters().refreshes).toEqual({ total: 1, byRefreshToken: { [rt]: [expect.any(Number)] } });
  });

  it('uses the configured access-token lifetime', async () => {
    sim.control.configure({ accessTokenTtlSeconds: 5 });
    expect((await refresh(sim.control.issueRefreshToken())).body.expires_in).toBe(5);
  });

  it('throttles access-token creation per refresh token with the "Access Denied" body', async () => {
    sim.control.configure({ refreshThrottle: { max: 3, windowMs: 60_000 } });
    const rt = sim.control.issueRefreshToken();
    for (let i = 0; i < 3; i += 1) expect((await refresh(rt)).body).toHaveProperty('access_token');
    expect(await refresh(rt)).toEqual({
      status: 200,
      body: {
        error_description: 'You have made too many requests continuously. Please try again after some time.',
        error: 'Access Denied',
        status: 'failure',
      },
    });
    // Another refresh token of the same client has its own budget.
    expect((await refresh(sim.control.issueRefreshToken())).body).toHaveProperty('access_token');
    sim.control.advanceClock(60_000);
    expect((await refresh(rt)).body).toHaveProperty('access_token');
    const counters = sim.control.counters();
    expect(counters.throttledRefreshes).toBe(1);
    expect(counters.refreshes.total).toBe(5);
  });

  it('evicts the oldest active access token beyond the per-refresh-token cap', async () => {
    sim.control.configure({ maxActiveAccessTokens: 2 });
    const rt = sim.control.issueRefreshToken();
    const tokens: string[] = [];
    for (let i = 0; i < 3; i += 1) tokens.push(String((await refresh(rt)).body.access_token));
    const statusWith = async (t: string) =>
      (await fetch(`${sim.url}/crm/v8/Leads/1`, { headers: { Authorization: `Zoho-oauthtoken ${t}` } })).status;
    expect(await statusWith(tokens[0]!)).toBe(401);
    expect(await statusWith(tokens[1]!)).toBe(204);
    expect(await statusWith(tokens[2]!)).toBe(204);
  });

  it('deletes the oldest refresh token beyond the per-user cap', async () => {
    sim.control.configure({ maxRefreshTokens: 2 });
    const [a, b, c] = [
      sim.control.issueRefreshToken(),
      sim.control.issueRefreshToken(),
      sim.control.issueRefreshToken(),
    ];
    expect((await refresh(a)).body).toEqual({ error: 'invalid_code' });
    expect((await refresh(b)).body).toHaveProperty('access_token');
    expect((await refresh(c)).body).toHaveProperty('access_token');
  });
});

describe('revoke', () => {
  it('revokes a refresh token and its access tokens', async () => {
    const rt = sim.control.issueRefreshToken();
    const at = String((await refresh(rt)).body.access_token);
    const response = await fetch(`${sim.url}/oauth/v2/token/revoke?token=${encodeURIComponent(rt)}`, {
      method: 'POST',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'success' });
    expect((await refresh(rt)).body).toEqual({ error: 'invalid_code' });
    const api = await fetch(`${sim.url}/crm/v8/Leads/1`, { headers: { Authorization: `Zoho-oauthtoken ${at}` } });
    expect(await api.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    const again = await fetch(`${sim.url}/oauth/v2/token/revoke?token=${encodeURIComponent(rt)}`, { method: 'POST' });
    expect(again.status).toBe(400);
  });
});

describe('data centres', () => {
  it('lists the served accounts servers', async () => {
    const response = await fetch(`${sim.url}/oauth/serverinfo`);
    expect(await response.json()).toEqual({
      result: 'success',
      locations: { us: sim.url, eu: sim.dataCenters.eu?.accountsUrl },
    });
  });

  it('sends an EU user to the EU accounts server, whose tokens name the EU api_domain', async () => {
    const eu = sim.dataCenters.eu!;
    sim.control.configure({ userLocation: 'eu' });
    const result = await consent(sim.url, { redirectUri: REDIRECT });
    expect(result).toMatchObject({ location: 'eu', accountsServer: eu.accountsUrl });
    // Exchanging at the DC the flow started at (us) is the wrong DC.
    expect((await exchange(result.code)).body).toEqual({ error: 'invalid_client' });
    const tokens = await exchange(result.code, {}, result.accountsServer);
    expect(tokens.body).toMatchObject({ api_domain: eu.apiDomain });
    const rt = String(tokens.body.refresh_token);
    expect((await refresh(rt)).body).toEqual({ error: 'invalid_client' });
    expect((await refresh(rt, eu.accountsUrl)).body).toMatchObject({ api_domain: eu.apiDomain });

    const at = String(tokens.body.access_token);
    const auth = { Authorization: `Zoho-oauthtoken ${at}` };
    expect((await fetch(`${sim.url}/crm/v8/Leads/1`, { headers: auth })).status).toBe(401);
    expect((await fetch(`${eu.apiDomain}/crm/v8/Leads/1`, { headers: auth })).status).toBe(204);
  });
});
