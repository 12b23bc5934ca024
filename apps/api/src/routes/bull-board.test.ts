import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type IsolatedStack, startIsolatedStack, waitFor } from '@leadsync/local-stack';
import { attentionProcessor, connectionOptions, leadFailedPayload, QUEUES, raiseAttention } from '@leadsync/queue';
import { Queue, Worker } from 'bullmq';
import { call, startTestApi, TEST_CRON_SECRET, type TestApi } from '../testing/harness.js';

// Bull Board's own features on the attention queue, through its HTTP API (what its buttons
// call), and the read-only board behind BULL_BOARD_READ_ONLY_SECRET.
const READ_ONLY_SECRET = 'read-only-secret-0123456789';
const basic = (password: string) => `Basic ${Buffer.from(`viewer:${password}`).toString('base64')}`;
const ADMIN = { authorization: basic(TEST_CRON_SECRET) };
const READER = { authorization: basic(READ_ONLY_SECRET) };

let stack: IsolatedStack;
let api: TestApi;
let attention: Queue;
/** The worker's attention processor, over leads that are never retryable (no database behind it). */
let worker: Worker;

beforeAll(async () => {
  stack = await startIsolatedStack('api-bull-board');
  api = await startTestApi(stack, { BULL_BOARD_READ_ONLY_SECRET: READ_ONLY_SECRET });
  const connection = connectionOptions(stack.redisUrl, { maxRetriesPerRequest: null });
  attention = new Queue(QUEUES.attention, { connection, prefix: stack.redisPrefix });
  worker = new Worker(
    QUEUES.attention,
    attentionProcessor(async () => ({ retried: false })),
    { connection, prefix: stack.redisPrefix },
  );
});
afterAll(async () => {
  await worker?.close();
  await attention?.close();
  await api?.stop();
  await stack?.teardown();
});

/** A lead's attention job, failed by the attention processor's first run. */
async function failedJobFor(leadId: string): Promise<void> {
  const payload = leadFailedPayload({ id: leadId, source: 'quote_form' }, { code: 'INVALID_DATA', message: 'bad' });
  await raiseAttention({ failed: attention }, 'failed', payload);
  await waitFor(async () => (await attention.getJobState(leadId)) === 'failed', `job ${leadId} failed`, 60_000);
}

const board = (path: string, init: RequestInit = {}) => call(`${api.url}/admin/queues/api${path}`, init);

describe('Bull Board on the attention queue', () => {
  it('finds a lead by its id (search by job id)', async () => {
    const leadId = randomUUID();
    await failedJobFor(leadId);
    const res = await board(`/queues/${QUEUES.attention}/${leadId}`, { headers: ADMIN });
    expect(res.status).toBe(200);
    expect(res.body.job).toMatchObject({ id: leadId, failedReason: 'INVALID_DATA: bad' });
    expect(res.body.status).toBe('failed');
  });

  it('cleans completed jobs and keeps the failed ones', async () => {
    const done = randomUUID();
    await failedJobFor(done);
    await (await attention.getJob(done))!.retry('failed');
    await waitFor(async () => (await attention.getJobState(done)) === 'completed', 'the retried job completed', 60_000);
    const failed = randomUUID();
    await failedJobFor(failed);

    // Bull Board's clean spares jobs finished in its last 5 s of grace: clean until it takes ours
    await waitFor(
      async () => {
        const res = await board(`/queues/${QUEUES.attention}/clean/completed`, { method: 'PUT', headers: ADMIN });
        expect(res.status).toBe(200);
        return (await attention.getJob(done)) === undefined;
      },
      'the completed job cleaned',
      30_000,
    );
    expect(await attention.getJobState(failed)).toBe('failed');
  });
});

describe('the read-only board', () => {
  it('shows the queues and jobs to BULL_BOARD_READ_ONLY_SECRET, and refuses every change', async () => {
    const leadId = randomUUID();
    await failedJobFor(leadId);
    const queues = await board('/queues', { headers: READER });
    expect(queues.status).toBe(200);
    const lead = queues.body.queues.find((q: { name: string }) => q.name === QUEUES.attention);
    expect(lead.readOnlyMode).toBe(true);
    expect((await board(`/queues/${QUEUES.attention}/${leadId}`, { headers: READER })).status).toBe(200);

    for (const path of [`/queues/${QUEUES.attention}/${leadId}/retry`, `/queues/${QUEUES.attention}/retry/failed`]) {
      expect((await board(path, { method: 'PUT', headers: READER })).status).toBe(405);
    }
    expect(await attention.getJobState(leadId)).toBe('failed');
    // the admin's board is not read-only
    const admin = await board('/queues', { headers: ADMIN });
    expect(admin.body.queues.find((q: { name: string }) => q.name === QUEUES.attention).readOnlyMode).toBe(false);
  });

  it('opens nothing else: the other admin surfaces refuse the read-only secret', async () => {
    for (const path of ['/api/health', '/metrics', `/api/leads/${randomUUID()}`]) {
      expect((await call(`${api.url}${path}`, { headers: READER })).status).toBe(401);
    }
  });
});
