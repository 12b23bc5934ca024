import { Job, type Queue, QueueEvents } from './bullmq.js';
import { createRedisConnections, type RedisSettings } from './connection.js';
import { batchResultSchema, sumBatchResults } from './jobs.js';

export type JobOutcome =
  | { state: 'completed'; value: unknown }
  | { state: 'failed'; reason: string }
  /** Not finished within the wait (still waiting, active, or paused by Zoho's rate limit). */
  | { state: 'running' };

/** Waits for a job's result (the API's POST /api/admin/sync?wait=true, the CLI's sync --wait). */
export interface JobResults {
  wait(queue: Queue, jobId: string, timeoutMs: number): Promise<JobOutcome>;
  /**
   * Waits for a drain: the batch job `jobId` and every follow-up it (and they) started, whose ids
   * each job returns in `followUps`. Completed: the totals (sumBatchResults); failed: the first
   * failure; running: not all finished within the wait. `onProgress` hears the totals so far.
   */
  waitForDrain(
    queue: Queue,
    jobId: string,
    timeoutMs: number,
    onProgress?: (soFar: ReturnType<typeof sumBatchResults>) => void,
  ): Promise<JobOutcome>;
  close(): Promise<void>;
}

/**
 * How often a wait looks at the job itself. QueueEvents tells at once, but a fresh one misses a
 * job that finishes while its first read of the event stream is still being set up (seen on Redis
 * Cluster: the CLI's wait, or an API replica's first `?wait=true`, then answered "running" after
 * its whole timeout); the job's own state is the truth, the event only a wake-up.
 */
const LOOK_EVERY_MS = 1000;

/** The job's outcome if it has one now; null while it runs (or Redis did not answer this time). */
async function look(queue: Queue, jobId: string): Promise<JobOutcome | null> {
  try {
    // the state first: a job read before it finished would carry no return value
    const state = await queue.getJobState(jobId);
    if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return null;
    const job = await Job.fromId(queue, jobId);
    if (!job) return { state: 'failed', reason: 'the job is gone (removed before it finished)' };
    if (state === 'completed') return { state: 'completed', value: job.returnvalue };
    return { state: 'failed', reason: job.failedReason };
  } catch {
    return null; // a wait that cannot look answers "running" when its time is up
  }
}

/** Resolves `next()` early when QueueEvents hears that the job completed or failed. */
function wakeOnOutcome(events: QueueEvents, jobId: string): { next(ms: number): Promise<void>; stop(): void } {
  let heard = false; // heard while no next() was pending: the next one returns at once
  let pending: (() => void) | null = null;
  const listener = (event: { jobId: string }) => {
    if (event.jobId !== jobId) return;
    if (pending) pending();
    else heard = true;
  };
  events.on('completed', listener);
  events.on('failed', listener);
  return {
    next: (ms) =>
      new Promise<void>((resolve) => {
        if (heard) {
          heard = false;
          return resolve();
        }
        const timer = setTimeout(() => {
          pending = null;
          resolve();
        }, ms);
        pending = () => {
          clearTimeout(timer);
          pending = null;
          resolve();
        };
      }),
    stop() {
      events.off('completed', listener);
      events.off('failed', listener);
    },
  };
}

/**
 * One QueueEvents per queue, made on first use: it holds a blocking Redis connection, which an
 * API replica that never serves `?wait=true` (or a CLI command that does not wait) should not pay for.
 */
export function createJobResults(config: RedisSettings & { REDIS_PREFIX: string }): JobResults {
  const events = new Map<string, QueueEvents>();
  const redis = createRedisConnections(config);
  const eventsFor = (queue: Queue): QueueEvents => {
    let e = events.get(queue.name);
    if (!e) {
      e = new QueueEvents(queue.name, {
        prefix: config.REDIS_PREFIX,
        connection: redis.bullmq('worker'),
      });
      e.on('error', () => {}); // a wait that cannot hear the outcome answers "running"
      events.set(queue.name, e);
    }
    return e;
  };
  const wait = async (queue: Queue, jobId: string, timeoutMs: number): Promise<JobOutcome> => {
    const deadline = Date.now() + timeoutMs;
    const wake = wakeOnOutcome(eventsFor(queue), jobId);
    try {
      for (;;) {
        const outcome = await look(queue, jobId);
        if (outcome) return outcome;
        if (Date.now() >= deadline) return { state: 'running' };
        await wake.next(Math.min(LOOK_EVERY_MS, deadline - Date.now()));
      }
    } finally {
      wake.stop();
    }
  };
  return {
    wait,
    async waitForDrain(queue, jobId, timeoutMs, onProgress) {
      const deadline = Date.now() + timeoutMs;
      const values: unknown[] = [];
      const queued = [jobId];
      for (let next = queued.shift(); next !== undefined; next = queued.shift()) {
        const outcome = await wait(queue, next, Math.max(1, deadline - Date.now()));
        if (outcome.state !== 'completed') return outcome;
        values.push(outcome.value);
        const parsed = batchResultSchema.safeParse(outcome.value ?? {});
        if (parsed.success) queued.push(...parsed.data.followUps);
        onProgress?.(sumBatchResults(values));
      }
      return { state: 'completed', value: sumBatchResults(values) };
    },
    async close() {
      await Promise.all([...events.values()].map((e) => e.close().catch(() => {})));
      events.clear();
      await redis.close();
    },
  };
}
