import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { freePort, type IsolatedStack, startIsolatedStack, withClient } from '@leadsync/local-stack';
import { decryptSecret, issueState, parseEncryptionKey, STATE_TTL_MS, stateKey } from '@leadsync/zoho-client';
import { consent, startZohoSim, type ZohoSim } from '@leadsync/zoho-sim';
import { call, postJson, startTestApi, TEST_CRON_SECRET, type TestApi } from '../testing/harness.js';

// The whole browser flow against the Zoho simulator: our start → its consent page → its redirect
// to our callback, which exchanges the code and stores the tokens.
let stack: IsolatedStack;
let sim: ZohoSim;
let api: TestApi;
let env: Record<string, string>;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const ADMIN = { authorization: `Bearer ${TEST_CRON_SECRET}` };

beforeAll(async () => {
  stack = await startIsolatedStack('api-oauth');
  // an EU data centre on its own port; grant codes unthrottled (the tests consent many times)
  sim = await startZohoSim({ dataCenters: ['eu'], grantThrottle: { max: 1000, windowMs: 600_000 } });
  const port = await freePort();
  env = {
    ZOHO_CLIENT_ID: 'sim-client-id',
    ZOHO_CLIENT_SECRET: 'sim-client-secret',
    ZOHO_ACCOUNTS_URL: sim.accountsUrl,
    ZOHO_API_DOMAIN: sim.apiDomain,
    ZOHO_REDIRECT_URI: `http://127.0.0.1:${port}/auth/zoho/callback`,
    ZOHO_TRUSTED_ACCOUNTS_SERVERS: sim.dataCenters.eu!.accountsUrl,
    TOKEN_ENCRYPTION_KEY: ENCRYPTION_KEY,
  };
  api = await startTestApi(stack, env, { port });
});
afterAll(async () => {
  await api?.stop();
  await sim?.close();
  await stack?.teardown();
});
beforeEach(async () => {
  sim.control.reset();
  await withClient(stack.databaseUrl, (c) => c.query('delete from zoho_tokens'));
});

interface Flow {
  /** Where the simulator sent the browser back to (our callback, with code, location, accounts-server). */
  callback: URL;
  cookie: string;
  setCookie: string;
}

/** GET /auth/zoho/start as an admin browser, then through the consent page, up to the redirect back. */
async function startFlow(): Promise<Flow> {
  const start = await fetch(`${api.url}/auth/zoho/start`, { headers: ADMIN, redirect: 'manual' });
  expect(start.status).toBe(302);
  const consentUrl = start.headers.get('location')!;
  expect(consentUrl.startsWith(`${sim.accountsUrl}/oauth/v2/auth?`)).toBe(true);
  const setCookie = start.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const page = await fetch(consentUrl, { redirect: 'manual' });
  expect(page.status).toBe(302);
  const callback = new URL(page.headers.get('location')!);
  expect(`${callback.origin}${callback.pathname}`).toBe(env.ZOHO_REDIRECT_URI);
  return { callback, cookie, setCookie };
}

async function finish(callback: URL | string, cookie?: string) {
  const res = await fetch(callback, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const storedRow = async () =>
  (await withClient(stack.databaseUrl, (c) => c.query('select * from zoho_tokens'))).rows[0] as
    | Record<string, string>
    | undefined;

describe('Zoho onboarding in a browser', () => {
  it('start → consent → callback stores the tokens encrypted and connects', async () => {
    const flow = await startFlow();
    expect(flow.setCookie).toMatch(/HttpOnly/i);
    expect(flow.setCookie).toMatch(/SameSite=Lax/i);
    expect(flow.setCookie).toMatch(/Path=\/auth\/zoho\/callback/);
    expect(flow.callback.searchParams.get('accounts-server')).toBe(sim.accountsUrl);

    const page = await finish(flow.callback, flow.cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Zoho is connected');
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(page.headers.get('set-cookie')).toMatch(/leadsync_oauth_nonce=;/); // cleared

    const row = await storedRow();
    expect(row).toBeDefined();
    const key = parseEncryptionKey(ENCRYPTION_KEY);
    const refreshToken = decryptSecret(row!.refresh_token_ciphertext!, key, 'zoho:refresh_token');
    const accessToken = decryptSecret(row!.access_token_ciphertext!, key, 'zoho:access_token');
    // ciphertext only: neither token appears anywhere in the stored row
    expect(JSON.stringify(row)).not.toContain(refreshToken);
    expect(JSON.stringify(row)).not.toContain(accessToken);
    expect(row!.accounts_server).toBe(sim.accountsUrl);
    expect(sim.control.counters().codeExchanges).toBe(1);

    const status = await api.deps.zoho!.tokens.status();
    expect(status).toMatchObject({ connected: true, accountsServer: sim.accountsUrl, refreshFailing: false });
    // the stored refresh token is one Zoho accepts
    await expect(api.deps.zoho!.tokens.forceRefresh()).resolves.toMatchObject({ apiDomain: sim.apiDomain });
  });

  it('exchanges the code with the data centre Zoho names in accounts-server', async () => {
    sim.control.configure({ userLocation: 'eu' });
    const flow = await startFlow();
    const eu = sim.dataCenters.eu!.accountsUrl;
    expect(flow.callback.searchParams.get('location')).toBe('eu');
    expect(flow.callback.searchParams.get('accounts-server')).toBe(eu);
    const page = await finish(flow.callback, flow.cookie);
    expect(page.status).toBe(200);
    expect((await storedRow())!.accounts_server).toBe(eu);
  });

  it('refuses an accounts-server it does not trust, without sending the code anywhere', async () => {
    const flow = await startFlow();
    flow.callback.searchParams.set('accounts-server', 'https://accounts.zoho.evil.example');
    const page = await finish(flow.callback, flow.cookie);
    expect(page.status).toBe(400);
    expect(page.text).toContain('is not a Zoho data centre');
    expect(sim.control.counters().codeExchanges).toBe(0);
    expect(await storedRow()).toBeUndefined();
  });

  it('names an expired code', async () => {
    const flow = await startFlow();
    sim.control.advanceClock(121_000); // grant codes live 120 s
    const page = await finish(flow.callback, flow.cookie);
    expect(page.status).toBe(400);
    expect(page.text).toContain('expired, already used or unknown (invalid_code)');
    expect(await storedRow()).toBeUndefined();
  });

  it('names a code used twice', async () => {
    const flow = await startFlow();
    expect((await finish(flow.callback, flow.cookie)).status).toBe(200);
    const again = await finish(flow.callback, flow.cookie);
    expect(again.status).toBe(400);
    expect(again.text).toContain('invalid_code');
  });

  it('says so when the user denies consent', async () => {
    sim.control.configure({ consent: 'deny' });
    const flow = await startFlow();
    expect(flow.callback.searchParams.get('error')).toBe('access_denied');
    const page = await finish(flow.callback, flow.cookie);
    expect(page.status).toBe(400);
    expect(page.text).toContain('Zoho did not grant access (access_denied)');
  });

  describe('refuses a state it cannot trust', () => {
    it('a tampered state', async () => {
      const flow = await startFlow();
      const state = flow.callback.searchParams.get('state')!;
      const [payload, signature] = state.split('.') as [string, string];
      const flipped = `${signature.slice(0, 5)}${signature[5] === 'A' ? 'B' : 'A'}${signature.slice(6)}`;
      flow.callback.searchParams.set('state', `${payload}.${flipped}`);
      const page = await finish(flow.callback, flow.cookie);
      expect(page.status).toBe(400);
      expect(page.text).toContain('not one leadsync issued');
      expect(sim.control.counters().codeExchanges).toBe(0);
    });

    it('no state', async () => {
      const flow = await startFlow();
      flow.callback.searchParams.delete('state');
      const page = await finish(flow.callback, flow.cookie);
      expect(page.status).toBe(400);
      expect(page.text).toContain('carries no state');
    });

    it('an expired state', async () => {
      const flow = await startFlow();
      const old = issueState(stateKey(TEST_CRON_SECRET), 'browser', Date.now() - STATE_TTL_MS - 1000);
      flow.callback.searchParams.set('state', old.state);
      const page = await finish(flow.callback, `leadsync_oauth_nonce=${old.nonce}`);
      expect(page.status).toBe(400);
      expect(page.text).toContain('This sign-in expired');
    });

    it('a state finished in a browser that did not start it', async () => {
      const flow = await startFlow();
      const other = await fetch(`${api.url}/auth/zoho/start`, { headers: ADMIN, redirect: 'manual' });
      const otherCookie = (other.headers.get('set-cookie') ?? '').split(';')[0]!;
      for (const cookie of [undefined, otherCookie]) {
        const page = await finish(flow.callback, cookie);
        expect(page.status).toBe(400);
        expect(page.text).toContain('This browser did not start this sign-in');
      }
      expect(sim.control.counters().codeExchanges).toBe(0);
    });

    it('but accepts a CLI-issued state without the cookie', async () => {
      const cli = issueState(stateKey(TEST_CRON_SECRET), 'cli');
      const granted = await consent(sim.accountsUrl, {
        redirectUri: env.ZOHO_REDIRECT_URI,
        prompt: 'consent',
        state: cli.state,
      });
      const page = await finish(granted.redirect);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Zoho is connected');
    });
  });

  it('escapes what it echoes from the query', async () => {
    const url = new URL(env.ZOHO_REDIRECT_URI!);
    url.searchParams.set('error', '<script>alert(1)</script>');
    const page = await finish(url);
    expect(page.status).toBe(400);
    expect(page.text).not.toContain('<script>');
    expect(page.text).toContain('&lt;script&gt;');
  });
});

describe('POST /api/zoho-auth', () => {
  const grant = (over: Parameters<typeof consent>[1] = {}) =>
    consent(sim.accountsUrl, { redirectUri: env.ZOHO_REDIRECT_URI, prompt: 'consent', ...over });

  it('exchanges a code and stores the tokens', async () => {
    const { code } = await grant();
    const res = await postJson(`${api.url}/api/zoho-auth`, { code }, ADMIN);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ connected: true, accounts_server: sim.accountsUrl, api_domain: sim.apiDomain });
    expect((await storedRow())!.accounts_server).toBe(sim.accountsUrl);
  });

  it('names a code exchanged at the wrong data centre', async () => {
    sim.control.configure({ userLocation: 'eu' });
    const { code, accountsServer } = await grant();
    expect(accountsServer).toBe(sim.dataCenters.eu!.accountsUrl);
    const res = await postJson(`${api.url}/api/zoho-auth`, { code }, ADMIN); // no accounts_server: goes to us
    expect(res.status).toBe(502);
    expect(res.body.error).toBe('wrong_client');
    expect(res.body.message).toContain('another data centre');
    const right = await postJson(`${api.url}/api/zoho-auth`, { code, accounts_server: accountsServer }, ADMIN);
    expect(right.status).toBe(200);
  });

  it('names a redirect URI that differs from the one the code was issued for', async () => {
    const { code } = await grant({ redirectUri: 'https://elsewhere.example/callback' });
    const res = await postJson(`${api.url}/api/zoho-auth`, { code }, ADMIN);
    expect(res.status).toBe(502);
    expect(res.body.error).toBe('wrong_redirect_uri');
    expect(res.body.message).toContain(env.ZOHO_REDIRECT_URI);
  });

  it('names a wrong client secret', async () => {
    const wrong = await startTestApi(stack, { ...env, ZOHO_CLIENT_SECRET: 'not-the-secret' });
    try {
      const { code } = await grant();
      const res = await postJson(`${wrong.url}/api/zoho-auth`, { code }, ADMIN);
      expect(res.status).toBe(502);
      expect(res.body.error).toBe('wrong_client_secret');
      expect(res.body.message).toContain('ZOHO_CLIENT_SECRET');
    } finally {
      await wrong.stop();
    }
  });

  it('validates the body', async () => {
    for (const body of [{}, { code: '' }, { code: 5 }, { code: 'x', extra: true }]) {
      const res = await postJson(`${api.url}/api/zoho-auth`, body, ADMIN);
      expect(res.status).toBe(422);
      expect(res.body.error).toBe('validation_failed');
    }
  });

  it('answers 503 naming the variables when no Zoho client is configured', async () => {
    const bare = await startTestApi(stack);
    try {
      const res = await postJson(`${bare.url}/api/zoho-auth`, { code: 'x' }, ADMIN);
      expect(res.status).toBe(503);
      expect(res.body.message).toContain('ZOHO_CLIENT_ID');
      const start = await call(`${bare.url}/auth/zoho/start`, { headers: ADMIN, redirect: 'manual' });
      expect(start.status).toBe(503);
      expect(start.body).toContain('ZOHO_CLIENT_ID');
    } finally {
      await bare.stop();
    }
  });
});
