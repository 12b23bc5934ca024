import type { AttentionRow, ClaimedLead, Db } from '@leadsync/db';
import {
  type AttentionKind,
  type AttentionQueues,
  attentionProcessor,
  createAttentionQueues,
  createSyncProducer,
  leadFailedPayload,
  leadSpamPayload,
  QUEUES,
  raiseAttention,
  retryLead,
  startSyncFor,
} from '@leadsync/queue';
import { type ConnectionOptions, type Job, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { WorkerConfig } from './config.js';

/** Leads the reconciliation looks at per queue and run: bounded, so a backlog costs many runs, not one long one. */
export const RECONCILE_PAGE = 200;

/** The spam reason of a job the reconciliation makes: intake's reasons live only in its job and log line. */
export const UNRECORDED_SPAM_REASON = 'reasons not recorded (job made later by the reconciliation)';

export interface ReconcileOutcome {
  added: number;
  removed: number;
}

export interface WorkerAttention {
  queues: AttentionQueues;
  /** For the sync path's onLeadFailed: adds the lead's job; a miss (Redis down) is repaired by reconcile. */
  leadFailed(lead: ClaimedLead, error: { code: string; message: string }): void;
  /** Every failed/spam lead gets its job, and jobs of leads handled elsewhere go (one bounded page). */
  reconcile(): Promise<ReconcileOutcome>;
  close(): Promise<void>;
}

/** The error a failed lead's row records, for a job made from the row. */
function rowError(lead: AttentionRow): { code: string; message: string } {
  return { code: lead.last_error_code ?? 'UNKNOWN', message: lead.last_error_message ?? 'no error recorded' };
}

/**
 * The lead-attention and lead-spam queues of a worker process: their processors (whose first run
 * fails a job into Bull Board's Failed tab, and whose later run is Bull Board's Retry), the hook
 * that adds a failed lead's job, and the periodic reconciliation.
 */
export function startAttention(deps: {
  config: WorkerConfig;
  db: Db;
  logger: Logger;
  connection: ConnectionOptions;
}): WorkerAttention {
  const { config, db, logger, connection } = deps;
  const prefix = config.REDIS_PREFIX;
  const queues = createAttentionQueues(connection, prefix);
  const producer = createSyncProducer({ redisUrl: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES, prefix });
  const retry = (leadId: string) =>
    retryLead(
      {
        leads: db.leads,
        queues,
        startSync: (id) => startSyncFor(producer, id),
        onRedisError: (step, err) => logger.warn({ leadId, step, err: err.message }, 'lead retried; Redis step failed'),
      },
      leadId,
    );
  const processor = attentionProcessor(retry);
  const workers = [QUEUES.attention, QUEUES.spam].map((name) => {
    const w = new Worker(name, processor, { connection, prefix, concurrency: 4 });
    w.on('failed', (job: Job | undefined, err) => {
      // a first run fails by design; a later one is a Retry that could not be carried out
      if (job && job.attemptsMade <= 1) logger.info({ queue: name, leadId: job.id }, 'lead needs a person');
      else logger.warn({ queue: name, leadId: job?.id, err: err.message }, 'retrying the lead failed');
    });
    w.on('completed', (job: Job) => logger.info({ queue: name, leadId: job.id }, 'lead retried from Bull Board'));
    w.on('error', (err) => logger.error({ queue: name, err: err.message }, 'attention worker error'));
    return w;
  });

  const raise = (kind: AttentionKind, payload: Parameters<typeof raiseAttention>[2], update = true) =>
    raiseAttention(queues, kind, payload, { update });

  // Where each queue's page of the reconciliation starts next time, going round.
  let failedAfter: string | undefined;
  let jobOffset: Record<AttentionKind, number> = { failed: 0, spam: 0 };

  /** Jobs whose lead is no longer failed (or spam): retried by SQL, deleted, or a clear that missed. */
  async function removeHandled(kind: AttentionKind): Promise<number> {
    const queue = queues[kind];
    const start = jobOffset[kind];
    const jobs = await queue.getFailed(start, start + RECONCILE_PAGE - 1);
    jobOffset = { ...jobOffset, [kind]: jobs.length < RECONCILE_PAGE ? 0 : start + jobs.length };
    const statuses = await db.leads.statuses(jobs.map((j) => j.id).filter((id): id is string => Boolean(id)));
    const stillNeeded = kind === 'failed' ? 'failed' : 'spam';
    const handled = jobs.filter((j) => j.id && statuses.get(j.id) !== stillNeeded);
    await Promise.all(handled.map((j) => j.remove()));
    return handled.length;
  }

  async function reconcile(): Promise<ReconcileOutcome> {
    let added = 0;
    const failed = await db.leads.listByStatus('failed', { limit: RECONCILE_PAGE, afterId: failedAfter });
    failedAfter = failed.length < RECONCILE_PAGE ? undefined : failed.at(-1)?.id;
    for (const lead of failed) {
      const payload = leadFailedPayload(lead, rowError(lead), new Date(lead.updated_at));
      if ((await raise('failed', payload, false)) === 'added') added++;
    }
    // Spam: only the newest, as many as the queue keeps anyway; older spam was let go by design.
    const spam = await db.leads.listByStatus('spam', { limit: RECONCILE_PAGE, newestFirst: true });
    for (const lead of spam) {
      if ((await raise('spam', leadSpamPayload(lead, [UNRECORDED_SPAM_REASON]), false)) === 'added') added++;
    }
    const removed = (await removeHandled('failed')) + (await removeHandled('spam'));
    if (added || removed) logger.info({ added, removed }, 'attention jobs reconciled');
    return { added, removed };
  }

  const tick = async () => {
    try {
      // every worker runs it: it is idempotent (a job id is the lead id), and a page is cheap
      await reconcile();
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'attention reconciliation failed; next run tries again');
    }
  };
  const inFlight = new Set<Promise<unknown>>();
  const everyMs = config.HEALTH_CHECK_EVERY_MS;
  const timer = everyMs > 0 ? setInterval(() => void tick(), everyMs) : undefined;
  timer?.unref();

  return {
    queues,
    leadFailed(lead, error) {
      const adding = raise('failed', leadFailedPayload(lead, error))
        .catch((err: Error) =>
          logger.warn({ leadId: lead.id, err: err.message }, 'attention job not added; the reconciliation adds it'),
        )
        .finally(() => inFlight.delete(adding));
      inFlight.add(adding);
    },
    reconcile,
    async close() {
      clearInterval(timer);
      await Promise.all(inFlight);
      await Promise.all(workers.map((w) => w.close()));
      await producer.close();
      await queues.close();
    },
  };
}
