import { JOB_RETENTION, JOBS, SCHEDULERS } from '@leadsync/queue';
import type { Queue } from 'bullmq';
import type { WorkerConfig } from './config.js';

/**
 * The one place job schedulers are upserted. Upserting by a fixed id updates the scheduler in
 * place, so however many workers start or restart there is exactly one of each. Both sync
 * schedulers add a batch job; a full batch starts the rest of the drain.
 */
export async function upsertSchedulers(queues: { sync: Queue; token: Queue }, config: WorkerConfig): Promise<void> {
  await queues.sync.upsertJobScheduler(
    SCHEDULERS.dailyDrain,
    { pattern: config.SYNC_CRON, tz: config.SYNC_TZ },
    { name: JOBS.syncBatch.name, data: JOBS.syncBatch.schema.parse({ reason: 'daily' }), opts: JOB_RETENTION },
  );

  if (config.SYNC_MODE === 'immediate' && config.SYNC_SWEEP_EVERY_MS > 0) {
    await queues.sync.upsertJobScheduler(
      SCHEDULERS.sweep,
      { every: config.SYNC_SWEEP_EVERY_MS },
      {
        name: JOBS.syncBatch.name,
        data: JOBS.syncBatch.schema.parse({ reason: 'sweep', mode: 'immediate' }),
        opts: JOB_RETENTION,
      },
    );
  } else {
    // daily mode means only the scheduled drain: a sweep left by an earlier configuration goes
    await queues.sync.removeJobScheduler(SCHEDULERS.sweep);
  }

  await queues.token.upsertJobScheduler(
    SCHEDULERS.tokenRefresh,
    { every: config.TOKEN_REFRESH_EVERY_MS },
    { name: JOBS.refreshToken.name, data: JOBS.refreshToken.schema.parse({}), opts: JOB_RETENTION },
  );
}
