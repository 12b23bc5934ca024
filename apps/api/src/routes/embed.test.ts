import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type IsolatedStack, startIsolatedStack } from '@leadsync/local-stack';
import { call, startTestApi, type TestApi } from '../testing/harness.js';

let stack: IsolatedStack;
let api: TestApi;

beforeAll(async () => {
  stack = await startIsolatedStack('api-embed');
  api = await startTestApi(stack);
});
afterAll(async () => {
  await api?.stop();
  await stack?.teardown();
});

describe('/embed.js and /embed.mjs', () => {
  it('serves the classic build as JavaScript any site may load, cached and revalidated by ETag', async () => {
    const res = await call(`${api.url}/embed.js`, { headers: { origin: 'https://shop.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    // an IIFE that defines window.leadsync
    expect(res.body).toMatch(/^"use strict";var leadsync=\(\(\)=>\{/);

    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    // node:http, not fetch: fetch marks a conditional request `Cache-Control: no-cache`, which
    // rightly defeats revalidation; a browser revalidating from its cache sends no such header
    const again = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      get(`${api.url}/embed.js`, { headers: { 'if-none-match': etag! } }, (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode, body }));
      }).on('error', reject);
    });
    expect(again).toEqual({ status: 304, body: '' });
  });

  it('serves the ES module build with its own ETag', async () => {
    const [classic, module] = await Promise.all([call(`${api.url}/embed.js`), call(`${api.url}/embed.mjs`)]);
    expect(module.status).toBe(200);
    expect(module.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(module.body).toMatch(/export\s*\{/);
    expect(module.headers.get('etag')).not.toBe(classic.headers.get('etag'));
  });
});

describe('/demo', () => {
  it('is a page whose scripts all come from this origin, under a CSP without unsafe-inline scripts', async () => {
    const res = await call(`${api.url}/demo`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const scripts = [...res.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => m[1].trim())).toEqual(['src="/embed.js"', 'src="/demo.js"']);
    expect(scripts.every((m) => m[2].trim() === '')).toBe(true);
    expect(res.body).toContain('id="quote-form"');
  });

  it('serves the demo script', async () => {
    const res = await call(`${api.url}/demo.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.body).toContain('leadsync.attach');
  });
});
