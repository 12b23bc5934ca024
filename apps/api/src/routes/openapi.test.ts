import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type IsolatedStack, startIsolatedStack } from '@leadsync/local-stack';
import { createApp } from '../app.js';
import { call, startTestApi, TEST_CRON_SECRET, type TestApi } from '../testing/harness.js';
import { listRoutes } from '../testing/routes.js';

let stack: IsolatedStack;
let api: TestApi;
// biome-ignore lint/suspicious/noExplicitAny: the document is walked as JSON
let doc: any;

beforeAll(async () => {
  stack = await startIsolatedStack('api-openapi');
  api = await startTestApi(stack);
  const res = await call(`${api.url}/api/openapi.json`); // public: no secret
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(async () => {
  await api?.stop();
  await stack?.teardown();
});

/** `/api/leads/{id}` ↔ `/api/leads/:id` */
const expressPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function documented(): Array<{ method: string; path: string }> {
  return Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((method) => ({ method: method.toUpperCase(), path })),
  );
}

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3.1 document with admin security schemes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['basic', 'bearer']);
    expect(doc.paths['/api/admin/sync'].post.security).toEqual([{ bearer: [] }, { basic: [] }]);
    // public routes say so (security: []) rather than leave it to the reader's guess
    expect(doc.paths['/api/store-lead'].post.security).toEqual([]);
  });

  it('describes the bodies from the zod schemas the routes validate with', () => {
    const quote = doc.components.schemas.QuoteForm;
    for (const field of ['name', 'first_name', 'last_name', 'email', 'phone', 'message', 'utm_campaign']) {
      expect(quote.properties).toHaveProperty(field);
    }
    expect(quote.properties.email.maxLength).toBe(100);
    // a regex with flags must come out as a plain ECMA-262 pattern
    expect(quote.properties.email.pattern).toMatch(/\$$/);
    expect(doc.components.schemas.ChatbotLead.properties).toHaveProperty('session_id');
    const sync = doc.components.schemas.AdminSyncRequest;
    expect(sync.properties.limit).toMatchObject({ type: 'integer', maximum: 100000 });
    expect(sync.properties.force_refresh.type).toBe('boolean');
    expect(doc.components.schemas.ZohoAuthRequest.required).toEqual(['code']);
  });

  it('documents every /api route the app mounts', () => {
    const paths = new Set(documented().map((r) => `${r.method} ${expressPath(r.path)}`));
    const mounted = listRoutes(createApp(api.deps)).filter((r) => r.path.startsWith('/api/') && r.method !== 'OPTIONS');
    expect(mounted.length).toBeGreaterThan(5);
    for (const route of mounted) expect(paths).toContain(`${route.method} ${route.path}`);
  });

  it('documents only routes the app serves', async () => {
    const mounted = new Set(listRoutes(createApp(api.deps)).map((r) => `${r.method} ${r.path}`));
    for (const { method, path } of documented()) {
      const route = expressPath(path);
      expect(mounted.has(`${method} ${route}`) || mounted.has(`USE ${route}`)).toBe(true);
      // and the real app answers it (anything but "no such route")
      const res = await call(`${api.url}${route.replace(/:\w+/g, randomUUID())}`, {
        method,
        redirect: 'manual',
        headers: { authorization: `Bearer ${TEST_CRON_SECRET}`, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      expect({ route: `${method} ${path}`, noSuchRoute: res.body?.message === 'no such route' }).toEqual({
        route: `${method} ${path}`,
        noSuchRoute: false,
      });
      expect(res.status).not.toBe(405);
    }
  });
});
