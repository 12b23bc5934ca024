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
    const job = await Job.fromId(queue, jobId);
    if (!job) return { state: 'failed', reason: 'the job is gone (removed before it finished)' };
    try {
      return { state: 'completed', value: await job.waitUntilFinished(eventsFor(queue), timeoutMs) };
    } catch (err) {
      // waitUntilFinished rejects both for a failed job and for a wait that ran out: ask Redis which.
      const state = await queue.getJobState(jobId).catch(() => 'unknown');
      return state === 'failed' ? { state: 'failed', reason: (err as Error).message } : { state: 'running' };
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
