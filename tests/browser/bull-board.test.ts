import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { REPO_ROOT, waitFor } from '@leadsync/local-stack';
import { connectionOptions, QUEUES } from '@leadsync/queue';
import { Queue } from 'bullmq';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApi, TEST_CRON_SECRET, type TestApi } from '../../apps/api/src/testing/harness.js';
import { launchChromium } from '../support/browser.js';
import { type SyncHarness, startSyncHarness } from '../support/sync-harness.js';

// An operator in a real browser: logs in to Bull Board, finds the lead Zoho refused in
// lead-attention with Zoho's code, fixes the cause (here: the simulator's rule), clicks Retry,
// and the lead reaches Zoho. Screenshots of what they saw go to test-output/bull-board/.
jest.setTimeout(120_000);

const OUTPUT = process.env.BULL_BOARD_SCREENSHOTS ?? join(REPO_ROOT, 'test-output', 'bull-board');

let h: SyncHarness;
let api: TestApi;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let attention: Queue;
let sync: Queue;

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  console.log(`Bull Board screenshots: ${OUTPUT}`);
  h = await startSyncHarness('browser_bull_board');
  api = await startTestApi(h.stack);
  await h.startWorker();
  const connection = connectionOptions(h.stack.redisUrl);
  attention = new Queue(QUEUES.attention, { connection, prefix: h.stack.redisPrefix });
  sync = new Queue(QUEUES.sync, { connection, prefix: h.stack.redisPrefix });
  browser = await launchChromium();
  context = await browser.newContext({
    httpCredentials: { username: 'operator', password: TEST_CRON_SECRET },
    viewport: { width: 1280, height: 860 },
  });
  page = await context.newPage();
  page.setDefaultTimeout(60_000); // the machine may be shared and slow
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await attention?.close();
  await sync?.close();
  await api?.stop();
  await h?.teardown();
});

const shot = (name: string, height = 860) =>
  page.screenshot({ path: join(OUTPUT, name), clip: { x: 0, y: 0, width: 1280, height } });

describe('Bull Board for an operator', () => {
  it('shows the lead Zoho refused, with its code; Retry after the fix syncs it', async () => {
    const email = `refused.${Date.now().toString(36)}@example.com`;
    h.sim.control.rejectRecords({
      pattern: email,
      field: 'Email',
      code: 'INVALID_DATA',
      message: 'the email domain is blocked by a validation rule',
    });
    const [leadId] = await h.storeLeads(3, (i) => ({
      fields:
        i === 0
          ? { name: 'Refused Person', email }
          : { name: `Fine Person ${i}`, email: `fine.${i}.${Date.now().toString(36)}@example.com` },
    }));
    await h.triggerDrain();
    await waitFor(async () => (await attention.getJobState(leadId!)) === 'failed', 'the attention job failed', 60_000);

    // the queue list, as the operator lands on it: the attention queue's failed count
    await page.goto(`${api.url}/admin/queues`);
    await page.getByText('Loading').first().waitFor({ state: 'detached' });
    await page
      .getByRole('link', { name: new RegExp(QUEUES.attention) })
      .last()
      .waitFor();
    await shot('queue-list.png');

    // a batch job of the sync queue: the drain that carried the refused lead
    const batch = (await sync.getCompleted()).find((j) => (j.returnvalue?.failed ?? 0) > 0);
    expect(batch).toBeDefined();
    await page.goto(`${api.url}/admin/queues/queue/${QUEUES.sync}/${batch!.id}`);
    await page.getByText('returnValue').first().waitFor();
    await shot('batch-job.png');

    // the attention queue's Failed tab: the lead, with Zoho's code as the reason
    await page.goto(`${api.url}/admin/queues/queue/${QUEUES.attention}?status=failed`);
    await page.getByText(leadId!).first().waitFor();
    await page
      .getByText(/INVALID_DATA: the email domain is blocked/)
      .first()
      .waitFor();
    await shot('attention-failed.png', 560);

    // the lead's job, as its id finds it; its Data tab holds the lead's details
    await page.getByRole('link', { name: leadId! }).click();
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByText(email).first().waitFor();
    await shot('attention-job.png');

    // the operator fixes the cause, then presses Retry on the job
    h.sim.control.clearRejections();
    await page.locator('button:has(svg.lucide-refresh-cw)').first().click();
    const confirm = page.getByRole('button', { name: /^(confirm|retry|yes|ok)$/i });
    await confirm
      .first()
      .click({ timeout: 3000 })
      .catch(() => {});

    await waitFor(
      async () => h.sim.control.records().some((r) => r.Email === email),
      'the lead in the simulated Zoho',
      60_000,
    );
    await waitFor(async () => (await h.db.leads.get(leadId!))?.status === 'synced', 'the lead synced', 60_000);
    expect(await attention.getJobState(leadId!)).toBe('completed');

    await page.goto(`${api.url}/admin/queues/queue/${QUEUES.attention}?status=completed`);
    await page.getByText(leadId!).first().waitFor();
    // the return value (what Retry did) is at the foot of the Data panel, which scrolls by itself
    await page.getByText('returnValue').evaluate((el) => {
      let box: HTMLElement | null = el as HTMLElement;
      while (box && box.scrollHeight <= box.clientHeight) box = box.parentElement;
      box?.scrollTo(0, box.scrollHeight);
    });
    await shot('attention-retried.png');
  });
});
