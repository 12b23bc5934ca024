import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type IsolatedStack, startIsolatedStack } from '@leadsync/local-stack';
import { QUEUES } from '@leadsync/queue';
import { startZohoSim, type ZohoSim } from '@leadsync/zoho-sim';
import { createApp } from '../app.js';
import { call, startTestApi, TEST_CRON_SECRET, type TestApi } from '../testing/harness.js';
import { listRoutes, type MountedRoute } from '../testing/routes.js';

// Every operations surface, read from the app's own router, must refuse a request without
// CRON_SECRET or with a wrong one, and serve one with it (bearer, or basic auth for browsers).
// Only the routes below are public; a new route is an admin surface unless added here.
const PUBLIC = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /api/openapi.json',
  'OPTIONS /api/store-lead',
  'POST /api/store-lead',
  'OPTIONS /api/chatbot-leads',
  'POST /api/chatbot-leads',
  // Zoho sends the browser here; the signed state and the browser's nonce cookie are the credential
  'GET /auth/zoho/callback',
  // the embeddable form script and its demo page (routes/embed.ts)
  'GET /embed.js',
  'GET /embed.mjs',
  'GET /demo',
  'GET /demo.js',
]);

/** What each surface answers an authorised request (a random lead id is unknown: 404). */
const AUTHORISED: Record<string, number> = {
  'GET /api/leads/:id': 404,
  'GET /api/health': 200,
  'GET /metrics': 200,
  'POST /api/admin/sync': 202,
  'POST /api/admin/leads/:id/retry': 404,
  'POST /api/zoho-auth': 422,
  'GET /auth/zoho/start': 302,
  'USE /admin/queues': 200,
};

let stack: IsolatedStack;
let sim: ZohoSim;
let api: TestApi;
let surfaces: MountedRoute[];

beforeAll(async () => {
  stack = await startIsolatedStack('api-admin-surfaces');
  sim = await startZohoSim();
  api = await startTestApi(stack, {
    ZOHO_CLIENT_ID: 'sim-client-id',
    ZOHO_CLIENT_SECRET: 'sim-client-secret',
    ZOHO_ACCOUNTS_URL: sim.accountsUrl,
  });
  surfaces = listRoutes(createApp(api.deps)).filter((r) => !PUBLIC.has(`${r.method} ${r.path}`));
});
afterAll(async () => {
  await api?.stop();
  await sim?.close();
  await stack?.teardown();
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
// same length as the secret, differing only in the last character
const sameLength = `${TEST_CRON_SECRET.slice(0, -1)}${TEST_CRON_SECRET.endsWith('x') ? 'y' : 'x'}`;

function request(route: MountedRoute, authorization?: string) {
  const path = route.path.replace(/:id\b/g, randomUUID());
  const method = route.method === 'USE' ? 'GET' : route.method;
  const headers: Record<string, string> = authorization ? { authorization } : {};
  if (method === 'POST') headers['content-type'] = 'application/json';
  return call(`${api.url}${path}`, {
    method,
    headers,
    redirect: 'manual',
    ...(method === 'POST' ? { body: '{}' } : {}),
  });
}

describe('admin surfaces', () => {
  it('are found in the router, including every known one', () => {
    const found = surfaces.map((r) => `${r.method} ${r.path}`);
    expect(found).toEqual(expect.arrayContaining(Object.keys(AUTHORISED)));
  });

  const refused: Array<[string, string | undefined]> = [
    ['no credentials', undefined],
    ['a wrong bearer secret', 'Bearer wrong-secret'],
    ['a same-length wrong bearer secret', `Bearer ${sameLength}`],
    ['basic auth with a wrong password', basic('admin', sameLength)],
    ['basic auth with the secret as the user name', basic(TEST_CRON_SECRET, 'x')],
    ['another scheme', `Token ${TEST_CRON_SECRET}`],
  ];
  it.each(refused)('refuse %s with 401 and a basic-auth challenge', async (_label, authorization) => {
    expect(surfaces.length).toBeGreaterThanOrEqual(Object.keys(AUTHORISED).length);
    for (const route of surfaces) {
      const res = await request(route, authorization);
      expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 401,
      });
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    }
  });

  it.each([
    ['the bearer secret', `Bearer ${TEST_CRON_SECRET}`],
    ['basic auth with the secret as password', basic('any-user', TEST_CRON_SECRET)],
  ])('serve %s', async (_label, authorization) => {
    for (const route of surfaces) {
      const key = `${route.method} ${route.path}`;
      const res = await request(route, authorization);
      const expected = AUTHORISED[key];
      // a surface added later must at least let the secret through
      if (expected === undefined) expect({ key, status: res.status }).not.toEqual({ key, status: 401 });
      else expect({ key, status: res.status }).toEqual({ key, status: expected });
    }
  });

  it("protect Bull Board's API and assets the same way", async () => {
    for (const path of ['/admin/queues/api/queues', '/admin/queues/queue/lead-sync']) {
      expect((await call(`${api.url}${path}`)).status).toBe(401);
      expect((await call(`${api.url}${path}`, { headers: { authorization: basic('x', sameLength) } })).status).toBe(
        401,
      );
      const ok = await call(`${api.url}${path}`, { headers: { authorization: basic('admin', TEST_CRON_SECRET) } });
      expect(ok.status).toBe(200);
    }
    const queues = await call(`${api.url}/admin/queues/api/queues`, {
      headers: { authorization: `Bearer ${TEST_CRON_SECRET}` },
    });
    const names = (queues.body.queues as Array<{ name: string }>).map((q) => q.name).sort();
    expect(names).toEqual([QUEUES.sync, QUEUES.attention, QUEUES.spam, QUEUES.token].sort());
  });

  it("serve Bull Board under its own CSP, leaving everything else under Helmet's", async () => {
    const board = await call(`${api.url}/admin/queues`, { headers: { authorization: `Bearer ${TEST_CRON_SECRET}` } });
    expect(board.headers.get('content-type')).toMatch(/text\/html/);
    const boardCsp = board.headers.get('content-security-policy') ?? '';
    expect(boardCsp).toContain("script-src 'self'");
    expect(boardCsp).not.toContain('upgrade-insecure-requests');
    // its scripts are files under the same path (script-src 'self' is enough), served behind the secret
    const src = /<script defer src="([^"]+)"/.exec(board.body)?.[1];
    expect(src).toMatch(/^static\/js\//);
    expect((await call(`${api.url}/admin/queues/${src}`)).status).toBe(401);
    const script = await call(`${api.url}/admin/queues/${src}`, {
      headers: { authorization: basic('a', TEST_CRON_SECRET) },
    });
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    const other = await call(`${api.url}/healthz`);
    expect(other.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
  });
});
