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
/** Turnstile and hCaptcha on (their secrets set), verified by the local siteverify below. */
let captchaApi: TestApi;
let siteverify: Server;
/** Every token siteverify was asked about, in order. */
let verifiedTokens: string[] = [];
/** Tokens past their five minutes, by the test's say: a page cannot make real minutes pass. */
const expiredTokens = new Set<string>();
let hostSite: Server;
let hostOrigin: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;

type Widget = 'turnstile' | 'hcaptcha';
/** Each widget's container and the fields it fills, as the providers' implicit rendering makes them. */
const WIDGETS: Record<Widget, { container: string; fields: string[]; prefix: string }> = {
  turnstile: { container: 'cf-turnstile', fields: ['cf-turnstile-response'], prefix: 'ts' },
  hcaptcha: { container: 'h-captcha', fields: ['h-captcha-response', 'g-recaptcha-response'], prefix: 'hc' },
};

/**
 * A stand-in for the provider's widget script, with its documented API (render, reset,
 * getResponse, execute): it fills the form's fields with numbered tokens. Turnstile runs again by
 * itself after a reset; an invisible hCaptcha answers when executed. Each call is noted in
 * window.widgetCalls.
 */
const widgetStub = (widget: Widget) => {
  const { container, prefix } = WIDGETS[widget];
  const hc = widget === 'hcaptcha';
  return `(() => {
  const page = Math.random().toString(36).slice(2, 8);
  let n = 0;
  const fields = () => [...document.querySelectorAll('.${container} [name]')];
  const fill = (v) => { for (const f of fields()) f.value = v; };
  const issue = () => setTimeout(() => fill('${prefix}-' + page + '-' + ++n), 50);
  window.widgetCalls = [];
  window.${widget} = {
    render() { issue(); return 'widget-1'; },
    reset() { widgetCalls.push('reset'); fill('');${hc ? '' : ' issue();'} },
    execute() { widgetCalls.push('execute');${hc ? ' issue();' : ''} },
    getResponse() { return fields()[0].value || undefined; },
  };
  issue();
})();`;
};

/**
 * Another site embedding leadsync: its page loads /embed.js from the API named in ?api=; with
 * &widget=turnstile or hcaptcha its form holds that widget. /blank is a page of the site without
 * the embed, to look at the site's storage.
 */
function startHostSite(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host');
    const widget = url.searchParams.get('widget') as Widget | null;
    const script =
      url.pathname === '/host.js'
        ? `leadsync.attach(document.getElementById('f'));`
        : url.pathname === '/widget.js' && widget
          ? widgetStub(widget)
          : undefined;
    res.setHeader('content-type', script ? 'text/javascript' : 'text/html');
    if (script) return res.end(script);
    if (url.pathname === '/blank') return res.end('<!doctype html><p>nothing here</p>');
    const apiUrl = url.searchParams.get('api') ?? '';
    const fields = widget ? WIDGETS[widget].fields.map((f) => `<textarea hidden name="${f}"></textarea>`).join('') : '';
    res.end(`<!doctype html><form id="f"><input name="name"><input name="email">${
      widget ? `<div class="${WIDGETS[widget].container}">${fields}</div>` : ''
    }<button>Send</button></form>${widget ? `<script src="/widget.js?widget=${widget}"></script>` : ''}
<script src="${apiUrl}/embed.js"></script><script src="/host.js"></script>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Like Cloudflare's siteverify: each token once, and none past its lifetime. */
function startSiteverify(): Promise<Server> {
  const spent = new Set<string>();
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const token = new URLSearchParams(raw).get('response') ?? '';
      verifiedTokens.push(token);
      const refused = spent.has(token) || expiredTokens.has(token) || !/^(ts|hc)-/.test(token);
      spent.add(token);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(refused ? { success: false, 'error-codes': ['timeout-or-duplicate'] } : { success: true }));
    });
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
  siteverify = await startSiteverify();
  captchaApi = await startTestApi(harness.stack, {
    SPAM_MIN_FILL_MS: '0',
    CORS_ORIGINS: hostOrigin,
    TURNSTILE_SECRET_KEY: 'turnstile-test-secret',
    TURNSTILE_VERIFY_URL: `http://127.0.0.1:${(siteverify.address() as AddressInfo).port}/siteverify`,
    HCAPTCHA_SECRET: 'hcaptcha-test-secret',
    HCAPTCHA_VERIFY_URL: `http://127.0.0.1:${(siteverify.address() as AddressInfo).port}/siteverify`,
  });
  await harness.startWorker();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await strictApi?.stop();
  await captchaApi?.stop();
  await new Promise((resolve) => siteverify?.close(resolve));
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

describe('a captcha token that expired while the lead waited in the outbox', () => {
  type Queued = { key: string; createdAt: number; failures: number; nextAt: number; body: Record<string, unknown> };
  const queued = (p: Page) => p.evaluate(() => JSON.parse(localStorage.getItem('leadsync:outbox') ?? '[]') as Queued[]);
  const hostPage = (widget: Widget | undefined) =>
    `${hostOrigin}/?api=${encodeURIComponent(captchaApi.url)}${widget ? `&widget=${widget}` : ''}`;
  const widgetValue = (p: Page, widget: Widget) => p.inputValue(`[name="${WIDGETS[widget].fields[0]}"]`);
  const phase = (p: Page, name: string) =>
    p.waitForSelector(`#f [data-leadsync-status][data-phase="${name}"]`, { timeout: 15_000 });

  beforeEach(() => {
    verifiedTokens = [];
  });

  /** Stored once and not held as spam: the worker takes it to Zoho. */
  async function expectReachesZoho(email: string): Promise<void> {
    const [lead, ...others] = await leadsByEmail(email);
    expect(others).toEqual([]);
    expect(lead!.status).not.toBe('spam');
    await waitFor(async () => (await leadsByEmail(email))[0]?.status === 'synced', 'the lead synced', 30_000);
  }

  /** A visitor sends the form offline; resolves with the token the queued submission carries. */
  async function sendOffline(email: string, widget: Widget): Promise<string> {
    await page.goto(hostPage(widget));
    await page.waitForFunction(
      (name) => (document.querySelector(`[name="${name}"]`) as HTMLInputElement).value !== '',
      WIDGETS[widget].fields[0],
    );
    await context.setOffline(true);
    await page.fill('input[name=name]', 'Grace Hopper');
    await page.fill('input[name=email]', email);
    await page.click('button');
    await phase(page, 'queued');
    const [submission] = await queued(page);
    const token = submission!.body[WIDGETS[widget].fields[0]!];
    expect(token).toEqual(expect.stringMatching(/^(ts|hc)-/));
    return String(token);
  }

  /**
   * Six minutes pass, beyond both lifetimes: the submission is made six minutes older (the
   * embed's clock is the page's Date.now, against the times kept in storage) and siteverify
   * refuses its token from now on.
   */
  async function sixMinutesPass(p: Page, token: string, nextAt: 'now' | 'in an hour'): Promise<number> {
    expiredTokens.add(token);
    return p.evaluate((due) => {
      const list = JSON.parse(localStorage.getItem('leadsync:outbox') ?? '[]') as Queued[];
      for (const s of list) {
        s.createdAt -= 6 * 60_000;
        s.nextAt = due === 'now' ? 0 : Date.now() + 3600_000;
      }
      localStorage.setItem('leadsync:outbox', JSON.stringify(list));
      return list[0]!.failures;
    }, nextAt);
  }

  it.each(['turnstile', 'hcaptcha'] as const)(
    "asks the page's %s widget for a fresh token before sending again: not spam, and it reaches Zoho",
    async (widget) => {
      const email = uniqueEmail();
      const old = await sendOffline(email, widget);
      await sixMinutesPass(page, old, 'in an hour');
      await context.setOffline(false);
      await phase(page, 'sent');

      await expectReachesZoho(email);
      expect(verifiedTokens).toHaveLength(1);
      expect(verifiedTokens).not.toContain(old);
      // reset and run for a new token; reset once more, so the form's next post will not carry it
      expect(await page.evaluate(() => (window as unknown as { widgetCalls: string[] }).widgetCalls)).toEqual([
        'reset',
        'execute',
        'reset',
      ]);
      expect(await widgetValue(page, widget)).not.toBe(verifiedTokens[0]);
    },
  );

  it('keeps it queued on a page without a widget and sends it from the next page that has one', async () => {
    const email = uniqueEmail();
    const old = await sendOffline(email, 'turnstile');
    // leave while offline (closing the tab ends its timers), and age it from a page without the embed
    await page.close();
    await context.setOffline(false);
    page = await context.newPage();
    await page.goto(`${hostOrigin}/blank`);
    const failures = await sixMinutesPass(page, old, 'now');

    await page.goto(hostPage(undefined));
    await waitFor(
      async () => ((await queued(page))[0]?.failures ?? 0) > failures,
      'a try on the page without a widget',
      20_000,
    );
    const [waiting] = await queued(page);
    expect(waiting!.body['cf-turnstile-response']).toBe(old);
    expect(verifiedTokens).toEqual([]);
    expect(await leadsByEmail(email)).toEqual([]);

    await page.goto(hostPage('turnstile'));
    await waitFor(async () => (await queued(page)).length === 0, 'the outbox to empty', 20_000);
    await expectReachesZoho(email);
    expect(verifiedTokens).toHaveLength(1);
    expect(verifiedTokens).not.toContain(old);
  });
});
