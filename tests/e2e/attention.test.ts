import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { REPO_ROOT, tsxEntry, waitFor, withClient } from '@leadsync/local-stack';
import { connectionOptions, leadFailedPayload, QUEUES, raiseAttention, SPAM_JOBS_KEPT } from '@leadsync/queue';
import type { RunningWorker } from '@leadsync/worker/runtime';
import { type Job, Queue } from 'bullmq';
import { call, postJson, startTestApi, TEST_CRON_SECRET, type TestApi } from '../../apps/api/src/testing/harness.js';
import { type SyncHarness, startSyncHarness } from '../support/sync-harness.js';

// Leads that need a person, as failed jobs in lead-attention and lead-spam: a real worker, API,
// CLI process, database and Zoho simulator. The Retry here is BullMQ's job.retry(), what Bull
// Board's Retry button calls.
jest.setTimeout(120_000);

const run = promisify(execFile);
const ADMIN = { authorization: `Bearer ${TEST_CRON_SECRET}` };

let h: SyncHarness;
let api: TestApi;
let worker: RunningWorker;
let attention: Queue;
let spam: Queue;

beforeAll(async () => {
  h = await startSyncHarness('attention');
  api = await startTestApi(h.stack, { SPAM_MIN_FILL_MS: '0' });
  // the reconciliation runs when a test calls it, not on a timer
  worker = await h.startWorker({ HEALTH_CHECK_EVERY_MS: '0' });
  const connection = connectionOptions(h.stack.redisUrl);
  attention = new Queue(QUEUES.attention, { connection, prefix: h.stack.redisPrefix });
  spam = new Queue(QUEUES.spam, { connection, prefix: h.stack.redisPrefix });
});
afterAll(async () => {
  await attention?.close();
  await spam?.close();
  await api?.stop();
  await h?.teardown();
});

let serial = 0;
async function storeLead(label: string): Promise<{ id: string; email: string }> {
  const email = `${label}-${Date.now().toString(36)}-${++serial}@example.com`;
  const [id] = await h.storeLeads(1, () => ({ fields: { name: `${label} Person`, email } }));
  return { id: id!, email };
}

async function leadStatus(id: string): Promise<string> {
  return (await h.db.leads.get(id))!.status;
}

async function attemptCount(id: string): Promise<number> {
  const { rows } = await withClient(h.stack.databaseUrl, (c) =>
    c.query('select count(*)::int as n from sync_attempts where lead_id = $1', [id]),
  );
  return rows[0].n;
}

async function waitForJobState(queue: Queue, id: string, state: string): Promise<Job> {
  await waitFor(async () => (await queue.getJobState(id)) === state, `job ${id} ${state} in ${queue.name}`, 60_000);
  return (await queue.getJob(id))!;
}

function zohoRecordFor(email: string) {
  return h.sim.control.records().find((r) => r.Email === email);
}

describe('a lead Zoho rejects', () => {
  it('becomes one failed job in lead-attention, with Zoho code and message as its reason and the lead as its data', async () => {
    const lead = await storeLead('rejected-once');
    h.sim.control.rejectRecords({ pattern: lead.email, field: 'Email', code: 'INVALID_DATA', message: 'bad email' });
    await h.triggerDrain();

    const job = await waitForJobState(attention, lead.id, 'failed');
    expect(job.name).toBe('lead-failed');
    // kept until handled: no removeOnFail (BullMQ keeps a failed job when it is unset or false)
    expect(job.opts.removeOnFail ?? false).toBe(false);
    expect(job.failedReason).toMatch(/^INVALID_DATA: /);
    expect(job.data).toMatchObject({
      leadId: lead.id,
      source: 'quote_form',
      name: 'rejected-once Person',
      email: lead.email,
      attempts: expect.any(Number),
      error: { code: 'INVALID_DATA', message: expect.any(String) },
      createdAt: expect.any(String),
    });
    expect(await leadStatus(lead.id)).toBe('failed');

    // failing the same way again (put back to pending behind our back): still that one job
    await withClient(h.stack.databaseUrl, (c) =>
      c.query(`update leads set status = 'pending', next_attempt_at = now() where id = $1`, [lead.id]),
    );
    await h.triggerDrain();
    await waitFor(async () => (await attemptCount(lead.id)) >= 2, 'a second attempt', 60_000);
    await waitFor(async () => (await leadStatus(lead.id)) === 'failed', 'failed again', 60_000);
    await waitFor(
      async () => (await attention.getJob(lead.id))?.data.attempts >= 2,
      'the job brought up to date',
      60_000,
    );
    const failedIds = (await attention.getFailed()).map((j) => j.id).filter((id) => id === lead.id);
    expect(failedIds).toEqual([lead.id]);
    h.sim.control.clearRejections();
  });

  it("Bull Board's Retry (job.retry) puts it back to pending, syncs it, and completes the job; failing again makes a fresh job", async () => {
    const lead = await storeLead('retried-from-board');
    h.sim.control.rejectRecords({ pattern: lead.email, field: 'Email', code: 'INVALID_DATA' });
    await h.triggerDrain();
    const job = await waitForJobState(attention, lead.id, 'failed');

    // Retry while Zoho still refuses: the job completes, the lead fails again, a fresh job holds the lead id
    await job.retry('failed');
    await waitFor(async () => (await attemptCount(lead.id)) >= 2, 'the retried lead sent again', 60_000);
    await waitFor(async () => (await leadStatus(lead.id)) === 'failed', 'failed again', 60_000);
    // the fresh job is raised by the sync (or, had it raced the completing run, by the reconciliation)
    await worker.attention.reconcile();
    const fresh = await waitForJobState(attention, lead.id, 'failed');
    expect(fresh.attemptsMade).toBe(1);

    // the operator fixes the rule and retries
    h.sim.control.clearRejections();
    await fresh.retry('failed');
    const completed = await waitForJobState(attention, lead.id, 'completed');
    expect(completed.returnvalue).toEqual({ leadId: lead.id, action: 'released to pending; sync started' });
    await waitFor(async () => (await leadStatus(lead.id)) === 'synced', 'the lead synced', 60_000);
    expect(zohoRecordFor(lead.email)).toBeDefined();
  });

  it('leaves lead-attention when retried through the API, and Retry on a job left behind does nothing', async () => {
    const lead = await storeLead('retried-by-api');
    h.sim.control.rejectRecords({ pattern: lead.email, field: 'Email' });
    await h.triggerDrain();
    await waitForJobState(attention, lead.id, 'failed');
    h.sim.control.clearRejections();

    const res = await postJson(`${api.url}/api/admin/leads/${lead.id}/retry`, {}, ADMIN);
    expect(res.status).toBe(200);
    expect(await attention.getJob(lead.id)).toBeUndefined();
    await waitFor(async () => (await leadStatus(lead.id)) === 'synced', 'the lead synced', 60_000);

    // a job left behind (its removal missed): Retry completes it and says there was nothing to do
    await raiseAttention(
      { failed: attention },
      'failed',
      leadFailedPayload({ id: lead.id, source: 'quote_form' }, { code: 'X', message: 'y' }),
    );
    const leftBehind = await waitForJobState(attention, lead.id, 'failed');
    await leftBehind.retry('failed');
    const completed = await waitForJobState(attention, lead.id, 'completed');
    expect(completed.returnvalue).toMatchObject({ leadId: lead.id, action: 'nothing to do' });
    expect(await leadStatus(lead.id)).toBe('synced');
  });

  it('leaves lead-attention when retried through the CLI', async () => {
    const lead = await storeLead('retried-by-cli');
    h.sim.control.rejectRecords({ pattern: lead.email, field: 'Email' });
    await h.triggerDrain();
    await waitForJobState(attention, lead.id, 'failed');
    h.sim.control.clearRejections();

    const { stdout } = await run(process.execPath, tsxEntry('apps/cli/src/cli.ts', 'retry-failed'), {
      env: { ...h.env, PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent' },
      cwd: REPO_ROOT,
    });
    expect(stdout).toMatch(/pending again; drain job \S+ queued/);
    expect(await attention.getJob(lead.id)).toBeUndefined();
    await waitFor(async () => (await leadStatus(lead.id)) === 'synced', 'the lead synced', 60_000);
  });

  it('"Retry all" (every failed job retried) retries every such lead', async () => {
    const leads = [await storeLead('retry-all-a'), await storeLead('retry-all-b')];
    h.sim.control.rejectRecords({ pattern: 'retry-all-', field: 'Email' });
    await h.triggerDrain();
    for (const lead of leads) await waitForJobState(attention, lead.id, 'failed');
    h.sim.control.clearRejections();

    await attention.retryJobs({ state: 'failed' });
    for (const lead of leads)
      await waitFor(async () => (await leadStatus(lead.id)) === 'synced', `${lead.id} synced`, 60_000);
    for (const lead of leads) expect(await attention.getJobState(lead.id)).toBe('completed');
  });
});

describe('a lead held as spam', () => {
  it('becomes one failed job in lead-spam with the spam reasons; Retry releases and syncs it', async () => {
    const email = `spammy-${Date.now().toString(36)}@example.com`;
    const res = await postJson(`${api.url}/api/store-lead`, {
      name: 'Maybe Bot',
      email,
      leadsync_website: 'https://spam.example',
    });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    expect(await leadStatus(id)).toBe('spam');

    const job = await waitForJobState(spam, id, 'failed');
    expect(job.failedReason).toMatch(/^held as spam: .*honeypot/);
    expect(job.data).toMatchObject({ leadId: id, email, reasons: [expect.stringMatching(/honeypot/)] });
    expect(await attention.getJob(id)).toBeUndefined();
    // bounded, oldest first (BullMQ's removeOnFail count); lead-attention keeps every failure
    expect(job.opts.removeOnFail).toEqual({ count: SPAM_JOBS_KEPT });

    await job.retry('failed');
    await waitFor(async () => (await leadStatus(id)) === 'synced', 'the released lead synced', 60_000);
    expect(await spam.getJobState(id)).toBe('completed');
    expect(zohoRecordFor(email)).toBeDefined();
  });
});

describe('the reconciliation', () => {
  it('makes the job a failed or spam lead is missing, and removes the job of a lead handled elsewhere', async () => {
    const [failedId, spamId, handledId] = await h.storeLeads(3);
    await withClient(h.stack.databaseUrl, (c) =>
      c.query(
        `update leads set status = case id when $1 then 'failed' when $2 then 'spam' else 'failed' end,
           last_error_code = case id when $2 then null else 'MANDATORY_NOT_FOUND' end,
           last_error_message = case id when $2 then null else 'required field not found' end
         where id = any($3::uuid[])`,
        [failedId, spamId, [failedId, spamId, handledId]],
      ),
    );
    await worker.attention.reconcile();
    const failedJob = await waitForJobState(attention, failedId!, 'failed');
    expect(failedJob.failedReason).toBe('MANDATORY_NOT_FOUND: required field not found');
    await waitForJobState(spam, spamId!, 'failed');
    await waitForJobState(attention, handledId!, 'failed');

    // synced behind Bull Board's back (by SQL): its job goes at the next reconciliation
    await withClient(h.stack.databaseUrl, (c) =>
      c.query(`update leads set status = 'synced' where id = $1`, [handledId]),
    );
    await worker.attention.reconcile();
    expect(await attention.getJob(handledId!)).toBeUndefined();
    expect(await attention.getJobState(failedId!)).toBe('failed');
    // idempotent: nothing more to do
    expect(await worker.attention.reconcile()).toEqual({ added: 0, removed: 0 });
  });
});

describe('privacy', () => {
  it('shows the attention jobs only with the admin secret', async () => {
    const lead = await storeLead('private');
    h.sim.control.rejectRecords({ pattern: lead.email, field: 'Email' });
    await h.triggerDrain();
    await waitForJobState(attention, lead.id, 'failed');
    h.sim.control.clearRejections();

    const board = `${api.url}/admin/queues/api/queues/${QUEUES.attention}/${lead.id}`;
    expect((await call(board)).status).toBe(401);
    const withSecret = await call(board, { headers: ADMIN });
    expect(withSecret.status).toBe(200);
    expect(JSON.stringify(withSecret.body)).toContain(lead.email);

    const metrics = await call(`${api.url}/metrics`, { headers: ADMIN });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain(`queue="${QUEUES.attention}"`);
    expect(metrics.body).not.toContain(lead.email);
    expect(metrics.body).not.toContain(lead.id);
  });
});

// Last: Zoho's 500 may open the outage breaker, which holds every later sync back for a while.
describe('a lead whose retries ran out', () => {
  it('becomes a failed job in lead-attention saying so', async () => {
    const lead = await storeLead('horizon');
    await withClient(h.stack.databaseUrl, (c) =>
      c.query(`update leads set first_failed_at = now() - interval '100 hours' where id = $1`, [lead.id]),
    );
    h.sim.control.injectFaults({ kind: 'status', status: 500, path: '/Leads/upsert', count: 1 });
    await h.triggerDrain();

    const job = await waitForJobState(attention, lead.id, 'failed');
    expect(job.failedReason).toMatch(/past the retry horizon/);
    expect(await leadStatus(lead.id)).toBe('failed');
  });
});
