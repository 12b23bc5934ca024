import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULTS } from '@leadsync/local-stack';
import { Queue, Worker } from 'bullmq';
import { connectionOptions } from './connection.js';
import { createJobResults, type JobResults } from './job-results.js';

const REDIS_URL = process.env.REDIS_URL ?? DEFAULTS.redisUrl;
const PREFIX = `test:job-results:${randomUUID().slice(0, 8)}`;
const QUEUE = 'results';

let queue: Queue;
let results: JobResults;
let worker: Worker | undefined;

beforeAll(async () => {
  queue = new Queue(QUEUE, { connection: connectionOptions(REDIS_URL), prefix: PREFIX });
  results = createJobResults({ REDIS_URL, REDIS_PREFIX: PREFIX });
});
afterEach(async () => {
  await worker?.close();
  worker = undefined;
});
afterAll(async () => {
  await results.close();
  await queue.obliterate({ force: true });
  await queue.close();
});

/** A worker that answers each job by its name. */
function startWorker(): Worker {
  worker = new Worker(
    QUEUE,
    async (job) => {
      if (job.name === 'fail') throw new Error('Zoho said no');
      if (job.name === 'chain') {
        // a batch job of a drain: it starts the next ones and names them in followUps
        const next: string[] = job.data.next ?? [];
        const added = await Promise.all(next.map((id: string) => queue.add('ok', { n: 2 }, { jobId: id })));
        return { claimed: job.data.n, synced: job.data.n, followUps: added.map((j) => j.id) };
      }
      return { claimed: job.data.n, synced: job.data.n };
    },
    { connection: connectionOptions(REDIS_URL, { maxRetriesPerRequest: null }), prefix: PREFIX },
  );
  return worker;
}

describe('waiting for a job', () => {
  it("answers a finished job's return value, or its failure", async () => {
    startWorker();
    const done = await queue.add('ok', { n: 3 });
    const failed = await queue.add('fail', {});
    expect(await results.wait(queue, done.id!, 20_000)).toEqual({
      state: 'completed',
      value: { claimed: 3, synced: 3 },
    });
    expect(await results.wait(queue, failed.id!, 20_000)).toEqual({ state: 'failed', reason: 'Zoho said no' });
  });

  it("sums a drain's jobs: the first and every follow-up it started", async () => {
    startWorker();
    const first = await queue.add('chain', { n: 5, next: [`f1-${PREFIX.slice(-8)}`, `f2-${PREFIX.slice(-8)}`] });
    const seen: number[] = [];
    const outcome = await results.waitForDrain(queue, first.id!, 20_000, (soFar) => seen.push(soFar.jobs));
    expect(outcome).toEqual({
      state: 'completed',
      value: { claimed: 9, synced: 9, failed: 0, retrying: 0, released: 0, tokenRefreshed: false, jobs: 3 },
    });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('answers "running" when the wait runs out before a worker finishes the job', async () => {
    const waiting = await queue.add('ok', { n: 1 });
    expect(await results.wait(queue, waiting.id!, 200)).toEqual({ state: 'running' });
    await queue.remove(waiting.id!);
  });

  it('answers "failed" for a job that no longer exists', async () => {
    expect(await results.wait(queue, 'no-such-job', 1000)).toEqual({
      state: 'failed',
      reason: 'the job is gone (removed before it finished)',
    });
  });
});
