import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { waitFor, withClient } from '@leadsync/local-stack';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApi, type TestApi } from '../../apps/api/src/testing/harness.js';
import { launchChromium } from '../support/browser.js';
import { type SyncHarness, startSyncHarness } from '../support/sync-harness.js';

// A real browser against the real API, database, worker and Zoho simulator: the demo page's
// quote form and chat box, through /embed.js, as a visitor would use them.
jest.setTimeout(90_000);

let harness: SyncHarness;
let api: TestApi;
/** Refuses cross-origin posts (no CORS_ORIGINS) and judges any browser-speed fill as a bot. */
let strictApi: TestApi;
let hostSite: Server;
let hostOrigin: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/** Another site embedding leadsync: its page loads /embed.js from the API named in ?api=. */
function startHostSite(): Promise<Server> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', req.url === '/host.js' ? 'text/javascript' : 'text/html');
    if (req.url === '/host.js') return res.end(`leadsync.attach(document.getElementById('f'));`);
    const apiUrl = new URL(req.url ?? '/', 'http://host').searchParams.get('api') ?? '';
    res.end(`<!doctype html><form id="f"><input name="name"><input name="email"><button>Send</button></form>
<script src="${apiUrl}/embed.js"></script><script src="/host.js"></script>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  hostSite = await startHostSite();
  hostOrigin = `http://localhost:${(hostSite.address() as AddressInfo).port}`;
  harness = await startSyncHarness('browser_embed');
  // SPAM_MIN_FILL_MS 0: a test fills a form in milliseconds; the fill-time check has its own API below
  api = await startTestApi(harness.stack, { SPAM_MIN_FILL_MS: '0', CORS_ORIGINS: hostOrigin });
  strictApi = await startTestApi(harness.stack, { SPAM_MIN_FILL_MS: '600000' });
  await harness.startWorker();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await strictApi?.stop();
  await harness?.teardown();
  await new Promise((resolve) => hostSite?.close(resolve));
});

beforeEach(async () => {
  context = await browser.newContext();
  page = await context.newPage();
});
afterEach(async () => {
  await context?.close();
});

let serial = 0;
const uniqueEmail = () => `visitor.${Date.now().toString(36)}.${++serial}@example.com`;

async function leadsByEmail(email: string): Promise<Array<Record<string, unknown>>> {
  const { rows } = await withClient(harness.stack.databaseUrl, (c) =>
    c.query('select * from leads where email = $1 order by created_at', [email]),
  );
  return rows;
}

async function fillQuote(p: Page, email: string): Promise<void> {
  await p.fill('#q-name', 'Ada Lovelace');
  await p.fill('#q-email', email);
  await p.fill('#q-message', 'A quote for an analytical engine, please.');
}

const quoteStatus = (p: Page) => p.locator('#quote-form [data-leadsync-status]');

async function expectPhase(p: Page, phase: string, timeout = 15_000): Promise<void> {
  await p.waitForSelector(`#quote-form [data-leadsync-status][data-phase="${phase}"]`, { timeout });
}

const outbox = (p: Page) =>
  p.evaluate(() => JSON.parse(localStorage.getItem('leadsync:outbox') ?? '[]') as Array<{ key: string }>);

describe('the demo page through /embed.js', () => {
  it('sends the quote form: 202, stored once without the spam-check fields, and synced to Zoho', async () => {
    const email = uniqueEmail();
    await page.goto(`${api.url}/demo`);
    await fillQuote(page, email);
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/store-lead'));
    await page.click('#quote-form button[type=submit]');
    expect((await answer).status()).toBe(202);
    await expectPhase(page, 'sent');
    expect(await quoteStatus(page).textContent()).toContain('sent');

    const [lead, ...others] = await leadsByEmail(email);
    expect(others).toEqual([]);
    expect(lead).toMatchObject({ source: 'quote_form', name: 'Ada Lovelace', page_url: `${api.url}/demo` });
    expect(lead!.idempotency_key).toEqual(expect.any(String));
    // the form's own fields (empty ones too) and page_url; the honeypot and fill time are not kept
    expect(Object.keys(lead!.raw_payload as object).sort()).toEqual([
      'company',
      'email',
      'message',
      'name',
      'page_url',
      'phone',
    ]);
    expect(await outbox(page)).toEqual([]);

    await waitFor(async () => (await leadsByEmail(email))[0]?.status === 'synced', 'the lead synced', 30_000);
    expect(harness.sim.control.records().filter((r) => r.Email === email)).toHaveLength(1);
  });

  it('keeps a lead sent offline and sends it, once, on the next page load', async () => {
    const email = uniqueEmail();
    await page.goto(`${api.url}/demo`);
    await context.setOffline(true);
    await fillQuote(page, email);
    await page.click('#quote-form button[type=submit]');
    await expectPhase(page, 'queued');
    expect(await quoteStatus(page).textContent()).toContain('back online');
    expect(await outbox(page)).toHaveLength(1);
    // leave while offline: closing the tab ends its retry timers (a page merely navigated away
    // from may still fire one, and Chromium's offline emulation does not cover a document it left)
    await page.close();
    expect(await leadsByEmail(email)).toEqual([]);
    await context.setOffline(false);
    page = await context.newPage();
    await page.goto(`${api.url}/demo`);
    await waitFor(async () => (await outbox(page)).length === 0, 'the outbox to empty', 15_000);
    expect(await leadsByEmail(email)).toHaveLength(1);
  });

  it('sends a lead kept offline when the browser comes back online, and tells the visitor', async () => {
    const email = uniqueEmail();
    await page.goto(`${api.url}/demo`);
    await context.setOffline(true);
    await fillQuote(page, email);
    await page.click('#quote-form button[type=submit]');
    await expectPhase(page, 'queued');
    // push its backoff an hour out, so only the online event can send it now
    await page.evaluate(() => {
      const list = JSON.parse(localStorage.getItem('leadsync:outbox') ?? '[]') as Array<{ nextAt: number }>;
      for (const s of list) s.nextAt = Date.now() + 3600_000;
      localStorage.setItem('leadsync:outbox', JSON.stringify(list));
    });
    await context.setOffline(false);
    await expectPhase(page, 'sent');
    expect(await outbox(page)).toEqual([]);
    expect(await leadsByEmail(email)).toHaveLength(1);
  });

  it('retries through two 503s with the same Idempotency-Key and stores the lead once', async () => {
    const email = uniqueEmail();
    const keys: string[] = [];
    // The first two requests reach the API and are stored, but the visitor's browser sees 503:
    // the worst case, an answer lost after the write. Only the key keeps the retries from duplicating.
    await page.route('**/api/store-lead', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (keys.length > 2) return route.continue();
      await route.fetch();
      await route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"unavailable"}' });
    });
    await page.goto(`${api.url}/demo`);
    await fillQuote(page, email);
    await page.click('#quote-form button[type=submit]');
    await expectPhase(page, 'queued');
    await expectPhase(page, 'sent', 20_000);

    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    const leads = await leadsByEmail(email);
    expect(leads).toHaveLength(1);
    expect(leads[0]!.idempotency_key).toBe(keys[0]);
  });

  it('shows a field error from the 422 beside the field it names, and keeps nothing', async () => {
    await page.goto(`${api.url}/demo`);
    // the browser's own check accepts this address; Zoho's pattern (and so the API) does not
    await fillQuote(page, 'ada@example');
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/store-lead'));
    await page.click('#quote-form button[type=submit]');
    expect((await answer).status()).toBe(422);
    await expectPhase(page, 'rejected');

    const error = page.locator('#q-email + .leadsync-field-error');
    expect(await error.textContent()).toContain('valid email');
    expect(await page.getAttribute('#q-email', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#q-email', 'aria-describedby')).toBe(await error.getAttribute('id'));
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q-email');
    expect(await outbox(page)).toEqual([]);
    expect(await leadsByEmail('ada@example')).toEqual([]);
  });

  it('sends the chat box transcript once the visitor gives an email address', async () => {
    const email = uniqueEmail();
    await page.goto(`${api.url}/demo`);
    await page.fill('#chat-input', 'I would like a quote');
    await page.click('#chat-form button[type=submit]');
    await page.fill('#chat-input', `Sure, it is ${email}`);
    await page.click('#chat-form button[type=submit]');
    await page.waitForSelector('#chat-status[data-phase="sent"]');
    const [lead, ...others] = await leadsByEmail(email);
    expect(others).toEqual([]);
    expect(lead).toMatchObject({ source: 'chatbot', session_id: expect.stringMatching(/^demo-/) });
    expect(lead!.transcript).toEqual(expect.arrayContaining([{ role: 'user', content: 'I would like a quote' }]));
  });
});

describe('spam', () => {
  it('holds bot-like submissions as spam, answers them like any lead, and sends none to Zoho', async () => {
    const honeypotEmail = uniqueEmail();
    await page.goto(`${api.url}/demo`);
    await fillQuote(page, honeypotEmail);
    // what a bot does: fill every input, the hidden one too
    await page.evaluate(() => {
      (document.querySelector('input[name="leadsync_website"]') as HTMLInputElement).value = 'https://spam.example';
    });
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/store-lead'));
    await page.click('#quote-form button[type=submit]');
    expect((await answer).status()).toBe(202);
    await expectPhase(page, 'sent');

    // sent faster than SPAM_MIN_FILL_MS (ten minutes on this API)
    const hastyEmail = uniqueEmail();
    const hasty = await context.newPage();
    await hasty.goto(`${strictApi.url}/demo`);
    await fillQuote(hasty, hastyEmail);
    const hastyAnswer = hasty.waitForResponse((r) => r.url().endsWith('/api/store-lead'));
    await hasty.click('#quote-form button[type=submit]');
    expect((await hastyAnswer).status()).toBe(202);
    expect(await (await hastyAnswer).json()).toEqual({ id: expect.any(String), status: 'pending' });
    await expectPhase(hasty, 'sent');

    // a real lead after them reaching Zoho shows the worker ran past the spam
    const realEmail = uniqueEmail();
    await page.goto(`${api.url}/demo`);
    await fillQuote(page, realEmail);
    await page.click('#quote-form button[type=submit]');
    await expectPhase(page, 'sent');
    await waitFor(async () => (await leadsByEmail(realEmail))[0]?.status === 'synced', 'the real lead synced', 30_000);

    for (const email of [honeypotEmail, hastyEmail]) {
      const leads = await leadsByEmail(email);
      expect(leads).toHaveLength(1);
      expect(leads[0]).toMatchObject({ status: 'spam', attempts: 0, zoho_id: null });
      expect(leads[0]!.raw_payload).not.toHaveProperty('leadsync_website');
      expect(harness.sim.control.records().filter((r) => r.Email === email)).toEqual([]);
    }
    const counts = await harness.countByStatus();
    expect(counts.spam).toBeGreaterThanOrEqual(2);
  });
});

describe('embedded on another site', () => {
  const sendFromHost = async (target: TestApi, email: string) => {
    await page.goto(`${hostOrigin}/?api=${encodeURIComponent(target.url)}`);
    await page.fill('input[name=name]', 'Grace Hopper');
    await page.fill('input[name=email]', email);
    await page.click('button');
  };
  const hostPhase = (phase: string) =>
    page.waitForSelector(`#f [data-leadsync-status][data-phase="${phase}"]`, { timeout: 15_000 });

  it('posts cross-origin to an API whose CORS_ORIGINS lists the site', async () => {
    const email = uniqueEmail();
    await sendFromHost(api, email);
    await hostPhase('sent');
    expect(await leadsByEmail(email)).toHaveLength(1);
  });

  it('cannot post to an API that does not list the site: the lead waits in the outbox', async () => {
    const email = uniqueEmail();
    await sendFromHost(strictApi, email);
    // the browser hides a CORS refusal behind a network error: kept, retried, never stored
    await hostPhase('queued');
    expect(await outbox(page)).toHaveLength(1);
    expect(await leadsByEmail(email)).toEqual([]);
  });
});
