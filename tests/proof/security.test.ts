import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type IsolatedStack,
  type Spawned,
  type SpawnedApi,
  spawnApi,
  spawnWorkerProcess,
  stackEnv,
  startIsolatedStack,
  tsxEntry,
  waitFor,
  withClient,
} from '@leadsync/local-stack';
import { decryptSecret, parseEncryptionKey } from '@leadsync/zoho-client';
import { consent, startZohoSim, type ZohoSim } from '@leadsync/zoho-sim';
import { createApp } from '../../apps/api/src/app.js';
import { startTestApi } from '../../apps/api/src/testing/harness.js';
import { listRoutes, type MountedRoute } from '../../apps/api/src/testing/routes.js';

/**
 * The security promises, proven against real processes (server.ts and worker.ts as deployed):
 * admin surfaces beyond routes/admin-surfaces.test.ts, RLS on every table and function of the
 * schema, ciphertext-only tokens after a refresh, no secret in debug logs of a full run, CORS,
 * the rate limit across two API processes and behind a proxy (no client picks its own address
 * through X-Forwarded-For), and cut-off for oversized and slow bodies.
 */

const CRON_SECRET = randomBytes(24).toString('hex');
const TOKEN_ENCRYPTION_KEY = randomBytes(32).toString('base64');
const ZOHO_CLIENT_ID = `proof-client-${randomBytes(4).toString('hex')}`;
const ZOHO_CLIENT_SECRET = `proof-secret-${randomBytes(16).toString('hex')}`;
const ALLOWED_ORIGIN = 'https://forms.allowed.example';
const REQUEST_TIMEOUT_MS = 1500;

let stack: IsolatedStack;
let sim: ZohoSim;
let env: Record<string, string>;
let apiA: SpawnedApi;
let apiB: SpawnedApi;
let worker: Spawned;
/** Every token value seen during the run; none may appear in a log. */
const tokens = new Set<string>();

const execFileAsync = promisify(execFile);
const ADMIN = { authorization: `Bearer ${CRON_SECRET}` };
const json = { 'content-type': 'application/json' };
/** A distinct client address per test (TRUST_PROXY=loopback), so rate-limit windows don't mix. */
const from = (ip: string) => ({ 'x-forwarded-for': ip });

beforeAll(async () => {
  stack = await startIsolatedStack('proof-security');
  sim = await startZohoSim({
    latencyMs: 5,
    clients: [{ clientId: ZOHO_CLIENT_ID, clientSecret: ZOHO_CLIENT_SECRET, redirectUris: [] }],
  });
  env = stackEnv(stack, sim, {
    NODE_ENV: 'production',
    LOG_LEVEL: 'debug',
    ZOHO_CLIENT_ID,
    ZOHO_CLIENT_SECRET,
    CRON_SECRET,
    TOKEN_ENCRYPTION_KEY,
    CORS_ORIGINS: ALLOWED_ORIGIN,
    INTAKE_RATE_LIMIT: '10',
    TRUST_PROXY: 'loopback',
    SPAM_MIN_FILL_MS: '0',
    REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    HEADERS_TIMEOUT_MS: '1000',
    SYNC_BACKOFF_BASE_MS: '200',
    SYNC_SWEEP_EVERY_MS: '1000',
  });
  [apiA, apiB] = await Promise.all([spawnApi(env), spawnApi(env)]);
  worker = spawnWorkerProcess(env);
}, 120_000);

afterAll(async () => {
  await Promise.all([apiA?.stop(), apiB?.stop(), worker?.stop()]);
  await sim?.close();
  await stack?.teardown();
}, 60_000);

const tokenRow = async () =>
  (await withClient(stack.databaseUrl, (c) => c.query('select * from zoho_tokens'))).rows[0] as
    | Record<string, unknown>
    | undefined;

function decryptRow(row: Record<string, unknown>) {
  const key = parseEncryptionKey(TOKEN_ENCRYPTION_KEY);
  return {
    refresh: decryptSecret(String(row.refresh_token_ciphertext), key, 'zoho:refresh_token'),
    access: decryptSecret(String(row.access_token_ciphertext), key, 'zoho:access_token'),
  };
}

describe('a full run (onboarding, intake, a forced token refresh, a sync, every admin call)', () => {
  it('stores only ciphertext, before and after the worker refreshes the token', async () => {
    const { code } = await consent(sim.accountsUrl, {
      clientId: ZOHO_CLIENT_ID,
      redirectUri: `http://localhost:${apiA.port}/auth/zoho/callback`,
    });
    const onboard = await fetch(`${apiA.url}/api/zoho-auth`, {
      method: 'POST',
      headers: { ...ADMIN, ...json },
      body: JSON.stringify({ code }),
    });
    expect({ status: onboard.status, body: await onboard.text() }).toMatchObject({ status: 200 });
    const first = decryptRow((await tokenRow())!);
    tokens.add(first.refresh).add(first.access);

    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${apiA.url}/api/store-lead`, {
        method: 'POST',
        headers: { ...json, ...from('198.51.100.1') },
        body: JSON.stringify({ name: `Full Run ${i}`, email: `full-run-${i}-${randomUUID()}@example.com` }),
      });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const sync = await fetch(`${apiB.url}/api/admin/sync?wait=true`, {
      method: 'POST',
      headers: { ...ADMIN, ...json },
      body: JSON.stringify({ force_refresh: true }),
    });
    expect(sync.status).toBe(200);
    expect(await sync.json()).toMatchObject({ status: 'completed', token_refreshed: true });
    await waitFor(
      async () => {
        const res = await fetch(`${apiA.url}/api/leads/${ids[2]}`, { headers: ADMIN });
        return ((await res.json()) as { status: string }).status === 'synced';
      },
      'the leads to reach the simulator',
      30_000,
    );

    const row = (await tokenRow())!;
    const second = decryptRow(row);
    expect(second.access).not.toBe(first.access); // the worker really refreshed it
    tokens.add(second.refresh).add(second.access);
    for (const key of Object.keys(sim.control.counters().refreshes.byRefreshToken)) tokens.add(key);
    const raw = JSON.stringify(row);
    for (const token of tokens) expect(raw).not.toContain(token);
    expect(String(row.refresh_token_ciphertext)).not.toContain(first.refresh.slice(5, 25));

    // the rest of the admin surfaces, with the secret, as an operator would use them
    for (const path of ['/api/health', '/metrics', `/api/leads/${ids[0]}`, '/admin/queues/api/queues']) {
      expect((await fetch(`${apiB.url}${path}`, { headers: ADMIN })).status).toBe(200);
    }
    const basic = `Basic ${Buffer.from(`ops:${CRON_SECRET}`).toString('base64')}`;
    expect((await fetch(`${apiA.url}/admin/queues`, { headers: { authorization: basic } })).status).toBe(200);
    expect((await fetch(`${apiA.url}/auth/zoho/start`, { headers: ADMIN, redirect: 'manual' })).status).toBe(302);
    // and refused attempts that carry secret-like material
    const nearMiss = `Bearer ${CRON_SECRET.slice(0, -2)}zz`;
    expect((await fetch(`${apiA.url}/api/health`, { headers: { authorization: nearMiss } })).status).toBe(401);
  }, 90_000);
});

describe('row-level security on every table and function of the schema', () => {
  const anonHeaders = () => ({ apikey: stack.anonKey, authorization: `Bearer ${stack.anonKey}` });
  const serviceHeaders = () => ({ apikey: stack.serviceRoleKey, authorization: `Bearer ${stack.serviceRoleKey}` });

  it('has RLS enabled on every public table and the anon key can neither read nor write any', async () => {
    const { rows: tables } = await withClient(stack.databaseUrl, (c) =>
      c.query(`select c.relname as name, c.relrowsecurity as rls from pg_class c join pg_namespace n on n.oid = c.relnamespace
               where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`),
    );
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['leads', 'sync_attempts', 'zoho_tokens']));
    for (const { name, rls } of tables as Array<{ name: string; rls: boolean }>) {
      expect({ name, rls }).toEqual({ name, rls: true });
      const rest = `${stack.supabaseUrl}/rest/v1/${name}`;
      // the service role sees rows (the full run above wrote some), so an empty anon answer means something
      const service = (await (await fetch(`${rest}?select=*`, { headers: serviceHeaders() })).json()) as unknown[];
      expect({ name, rows: service.length > 0 }).toEqual({ name, rows: true });
      const read = await fetch(`${rest}?select=*`, { headers: anonHeaders() });
      const readBody = read.ok ? ((await read.json()) as unknown[]) : [];
      expect({ name, rows: readBody.length }).toEqual({ name, rows: 0 });
      const write = await fetch(rest, { method: 'POST', headers: { ...anonHeaders(), ...json }, body: '{}' });
      expect({ name, write: write.status >= 400 }).toEqual({ name, write: true });
      const before = service.length;
      await fetch(`${rest}?id=not.is.null`, { method: 'DELETE', headers: anonHeaders() });
      await fetch(`${rest}?id=not.is.null`, {
        method: 'PATCH',
        headers: { ...anonHeaders(), ...json },
        body: '{"updated_at":null}',
      });
      const after = (await (await fetch(`${rest}?select=*`, { headers: serviceHeaders() })).json()) as unknown[];
      expect({ name, rows: after.length }).toEqual({ name, rows: before });
    }
  });

  it('refuses the anon key on every function of the schema', async () => {
    const { rows } = await withClient(stack.databaseUrl, (c) =>
      c.query(`select p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
               where n.nspname = 'public' and p.prokind = 'f' order by 1`),
    );
    const functions = rows.map((r) => r.name as string);
    expect(functions).toEqual(expect.arrayContaining(['intake_lead', 'claim_pending_leads', 'lead_stats']));
    for (const fn of functions) {
      const res = await fetch(`${stack.supabaseUrl}/rest/v1/rpc/${fn}`, {
        method: 'POST',
        headers: { ...anonHeaders(), ...json },
        body: '{}',
      });
      expect({ fn, refused: res.status >= 400 }).toEqual({ fn, refused: true });
    }
    // the service role may call them (lead_stats takes no argument)
    const ok = await fetch(`${stack.supabaseUrl}/rest/v1/rpc/lead_stats`, {
      method: 'POST',
      headers: { ...serviceHeaders(), ...json },
      body: '{}',
    });
    expect(ok.status).toBe(200);
  });
});

// Public routes; every other route of the router is an admin surface.
const isPublic = (r: MountedRoute) =>
  [
    'GET /healthz',
    'GET /readyz',
    'GET /api/openapi.json',
    'GET /auth/zoho/callback',
    'OPTIONS /api/store-lead',
    'POST /api/store-lead',
    'OPTIONS /api/chatbot-leads',
    'POST /api/chatbot-leads',
  ].includes(`${r.method} ${r.path}`) || /^GET \/(embed|demo)\b/.test(`${r.method} ${r.path}`);

describe('admin surfaces of the deployed process (beyond routes/admin-surfaces.test.ts)', () => {
  it('refuse near misses of the secret on every surface listed from the router', async () => {
    const inProcess = await startTestApi(stack);
    const surfaces = listRoutes(createApp(inProcess.deps)).filter((r) => !isPublic(r));
    await inProcess.stop();
    expect(surfaces.length).toBeGreaterThanOrEqual(8);
    const sameLength = `${CRON_SECRET.slice(0, -1)}${CRON_SECRET.endsWith('0') ? '1' : '0'}`;
    const nearMisses: Array<[string, Record<string, string>, string]> = [
      ['no credentials', {}, ''],
      ['a wrong secret', { authorization: 'Bearer wrong' }, ''],
      ['a same-length wrong secret', { authorization: `Bearer ${sameLength}` }, ''],
      ['a prefix of the secret', { authorization: `Bearer ${CRON_SECRET.slice(0, -1)}` }, ''],
      ['the secret plus a character', { authorization: `Bearer ${CRON_SECRET}x` }, ''],
      ['the secret upper-cased', { authorization: `Bearer ${CRON_SECRET.toUpperCase()}` }, ''],
      ['the secret in the query string', {}, `?secret=${CRON_SECRET}&token=${CRON_SECRET}`],
      ['the secret in a cookie', { cookie: `secret=${CRON_SECRET}; token=${CRON_SECRET}` }, ''],
      ['the secret in X-Api-Key', { 'x-api-key': CRON_SECRET }, ''],
      ['the secret as the basic-auth user', { authorization: `Basic ${btoa(`${CRON_SECRET}:`)}` }, ''],
    ];
    const wrong: string[] = [];
    for (const route of surfaces) {
      const method = route.method === 'USE' ? 'GET' : route.method;
      const path = route.path.replace(/:id\b/g, randomUUID());
      for (const [label, headers, query] of nearMisses) {
        const res = await fetch(`${apiA.url}${path}${query}`, {
          method,
          headers: { ...headers, ...(method === 'POST' ? json : {}) },
          redirect: 'manual',
          ...(method === 'POST' ? { body: '{}' } : {}),
        });
        if (res.status !== 401) wrong.push(`${route.method} ${route.path} with ${label}: ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 60_000);
});

describe('CORS', () => {
  it('answers the allowed origin and refuses any other (preflight and request)', async () => {
    const preflight = (origin: string) =>
      fetch(`${apiA.url}/api/store-lead`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight(ALLOWED_ORIGIN);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    for (const origin of ['https://evil.example', 'https://forms.allowed.example.evil.example', 'null']) {
      const res = await preflight(origin);
      expect({ origin, allow: res.headers.get('access-control-allow-origin') }).toEqual({ origin, allow: null });
      const post = await fetch(`${apiA.url}/api/chatbot-leads`, {
        method: 'POST',
        headers: { origin, ...json, ...from('198.51.100.2') },
        body: JSON.stringify({ email: `cors-${randomUUID()}@example.com` }),
      });
      expect(post.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});

describe('intake rate limit across two API processes', () => {
  it('counts one client in one window in Redis: 10 of 15 alternating requests pass, 429s carry Retry-After', async () => {
    const statuses: number[] = [];
    const retryAfter: Array<string | null> = [];
    const by: Record<'A' | 'B', number[]> = { A: [], B: [] };
    for (let i = 0; i < 15; i++) {
      const which = i % 2 === 0 ? 'A' : 'B';
      const res = await fetch(`${(which === 'A' ? apiA : apiB).url}/api/store-lead`, {
        method: 'POST',
        headers: { ...json, ...from('203.0.113.77') },
        body: JSON.stringify({ name: 'Rate Limited', email: `rl-${i}-${randomUUID()}@example.com` }),
      });
      statuses.push(res.status);
      by[which].push(res.status);
      if (res.status === 429) retryAfter.push(res.headers.get('retry-after'));
    }
    expect(statuses.filter((s) => s === 202).length).toBe(10);
    expect(statuses.filter((s) => s === 429).length).toBe(5);
    // each process alone saw at most 8 requests: only a shared count refuses any
    expect(by.A.includes(429) && by.B.includes(429)).toBe(true);
    for (const value of retryAfter) expect(Number(value)).toBeGreaterThan(0);
    // another client is not affected
    const other = await fetch(`${apiB.url}/api/store-lead`, {
      method: 'POST',
      headers: { ...json, ...from('203.0.113.78') },
      body: JSON.stringify({ name: 'Other Client', email: `other-${randomUUID()}@example.com` }),
    });
    expect(other.status).toBe(202);
  });
});

describe('TRUST_PROXY', () => {
  it('refuses true (every X-Forwarded-For hop trusted) at start-up, in one line naming it', async () => {
    // server.ts as deployed; were it to start, the timeout stops it and the exit code gives it away
    const exit = await execFileAsync(process.execPath, tsxEntry('apps/api/src/server.ts'), {
      env: { PATH: process.env.PATH, ...env, TRUST_PROXY: 'true', PORT: '0' },
      timeout: 20_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code?: number; stderr?: string }) => ({ code: err.code, stderr: err.stderr ?? '' }),
    );
    expect(exit.code).toBe(1);
    // the last line (supabase-js may warn about the Node version before it)
    expect(exit.stderr.trimEnd().split('\n').at(-1)).toMatch(/^leadsync api: TRUST_PROXY must be .*, not true: /);
  }, 40_000);

  it('with one proxy (TRUST_PROXY=1) counts the address the proxy saw, whatever chain the client sent', async () => {
    // This process stands behind one proxy; the test is that proxy: it appends the address it
    // saw (203.0.113.90) to whatever X-Forwarded-For the client sent, here a new address each time.
    const api = await startTestApi(stack, { TRUST_PROXY: '1', INTAKE_RATE_LIMIT: '10' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 15; i++) {
        const res = await fetch(`${api.url}/api/store-lead`, {
          method: 'POST',
          headers: { ...json, 'x-forwarded-for': `10.9.${i}.1, 198.18.0.${i + 1}, 203.0.113.90` },
          body: JSON.stringify({ name: 'Forged Chain', email: `forged-${i}-${randomUUID()}@example.com` }),
        });
        statuses.push(res.status);
      }
      expect(statuses.filter((s) => s === 202).length).toBe(10);
      expect(statuses.filter((s) => s === 429).length).toBe(5);
      // the same forged chain behind another client address is another client
      const other = await fetch(`${api.url}/api/store-lead`, {
        method: 'POST',
        headers: { ...json, 'x-forwarded-for': '10.9.0.1, 198.18.0.1, 203.0.113.91' },
        body: JSON.stringify({ name: 'Other Client', email: `forged-other-${randomUUID()}@example.com` }),
      });
      expect(other.status).toBe(202);
    } finally {
      await api.stop();
    }
  });
});

const leadCount = async () =>
  (await withClient(stack.databaseUrl, (c) => c.query('select count(*)::int as n from leads'))).rows[0].n as number;

/** Opens a raw connection, sends `head`, then one byte of `dribble` every `everyMs`; reports what came back. */
function slowClient(port: number, head: string, dribble: string, everyMs: number) {
  return new Promise<{ answer: string; cutOff: boolean; sentBytes: number }>((done, fail) => {
    const socket = connect(port, '127.0.0.1');
    let connected = false;
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (cutOff: boolean) => {
      clearInterval(timer);
      socket.destroy();
      done({ answer, cutOff, sentBytes: sent });
    };
    socket.on('connect', () => {
      connected = true;
      socket.write(head);
      timer = setInterval(() => {
        if (sent >= dribble.length) return finish(false); // the whole body got through: not cut off
        socket.write(dribble[sent]!);
        sent += 1;
      }, everyMs);
    });
    socket.on('data', (d) => {
      answer += d.toString('utf8');
    });
    socket.on('close', () => finish(true));
    socket.on('error', (err) => (connected ? finish(true) : fail(err)));
  });
}

describe('oversized and slow requests', () => {
  it('answers 413 to a body over the limit, in either media type, and stores nothing', async () => {
    const before = await leadCount();
    const big = 'x'.repeat(200 * 1024);
    const asJson = await fetch(`${apiA.url}/api/store-lead`, {
      method: 'POST',
      headers: { ...json, ...from('198.51.100.3') },
      body: JSON.stringify({ name: 'Big', email: 'big@example.com', message: big }),
    });
    const asForm = await fetch(`${apiB.url}/api/chatbot-leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...from('198.51.100.3') },
      body: new URLSearchParams({ email: 'big@example.com', transcript: big }).toString(),
    });
    expect([asJson.status, asForm.status]).toEqual([413, 413]);
    expect(await leadCount()).toBe(before);
  });

  it('cuts off a client that sends its headers and then dribbles the body (408, connection closed)', async () => {
    const before = await leadCount();
    const body = JSON.stringify({
      name: 'Slow Loris',
      email: `slow-${randomUUID()}@example.com`,
      message: 'x'.repeat(40),
    });
    const head =
      'POST /api/store-lead HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      `X-Forwarded-For: 198.51.100.4\r\nContent-Length: ${body.length}\r\n\r\n`;
    // the body would take ~8 × REQUEST_TIMEOUT_MS to arrive in full
    const everyMs = Math.ceil((REQUEST_TIMEOUT_MS * 8) / body.length);
    const result = await slowClient(apiA.port, head, body, everyMs);
    expect(result.cutOff).toBe(true);
    expect(result.sentBytes).toBeLessThan(body.length);
    expect(result.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(await leadCount()).toBe(before);
  }, 30_000);

  it('cuts off a client that dribbles its headers', async () => {
    const headers = `POST /api/store-lead HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'p'.repeat(120)}\r\n\r\n`;
    const result = await slowClient(apiB.port, '', headers, Math.ceil((REQUEST_TIMEOUT_MS * 8) / headers.length));
    expect(result.cutOff).toBe(true);
    expect(result.sentBytes).toBeLessThan(headers.length);
  }, 30_000);
});

describe('logs of the whole run above', () => {
  it('writes no secret or token value to the logs of the API and worker processes', async () => {
    // every test above ran against these processes: a full run, refused attempts included
    await new Promise((r) => setTimeout(r, 500));
    const logs = [apiA.output(), apiB.output(), worker.output()].join('\n');
    // the logs are real: debug-level request and sync lines from every process
    expect(apiA.output().split('\n').length).toBeGreaterThan(10);
    expect(apiB.output().split('\n').length).toBeGreaterThan(5);
    expect(worker.output().split('\n').length).toBeGreaterThan(3);
    // (LOG_LEVEL=debug: everything the code logs at any level is in here)
    expect(/"name":"worker"/.test(worker.output())).toBe(true);
    expect(/"url":"\/api\/admin\/sync/.test(logs)).toBe(true);
    expect(/"statusCode":401/.test(logs) && /"statusCode":429/.test(logs)).toBe(true);

    const secrets: Record<string, string> = {
      CRON_SECRET,
      TOKEN_ENCRYPTION_KEY,
      ZOHO_CLIENT_SECRET,
      SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey,
      'the service-role JWT signature': stack.serviceRoleKey.split('.')[2]!,
      'the basic-auth credential': Buffer.from(`ops:${CRON_SECRET}`).toString('base64'),
    };
    [...tokens].forEach((t, i) => {
      secrets[`Zoho token #${i + 1}`] = t;
    });
    expect(tokens.size).toBeGreaterThanOrEqual(3);
    const leaked = Object.entries(secrets)
      .filter(([, value]) => value.length >= 16 && logs.includes(value))
      .map(([name]) => name);
    expect(leaked).toEqual([]);
  });
});
