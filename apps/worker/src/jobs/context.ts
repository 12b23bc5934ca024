import type { TokenManager } from '@leadsync/zoho-client';
import type { PlannedJob, SyncMode } from '../sync/plan-jobs.js';
import type { SyncDeps } from '../sync/sync-batch.js';
import type { PressureAdmission } from '../sync/zoho-pressure.js';

/** What the batch jobs share within one worker process. */
export interface SyncJobContext {
  sync: SyncDeps;
  tokens: TokenManager;
  /** The Zoho pressure control's gate: during a credit pause a batch claims nothing. */
  admitZoho?: () => Promise<PressureAdmission>;
  mode: SyncMode;
  /** SYNC_CONCURRENCY: how many chains a drain runs side by side. */
  concurrency: number;
  /** Due leads now (pending and due, or under an expired lease); a drain's first job sizes its chains by it. */
  countDue(): Promise<number>;
  /** Adds batch jobs; answers the id BullMQ gave each (an existing job's, when deduplicated). */
  addJobs(jobs: PlannedJob[]): Promise<string[]>;
  /**
   * Adds a batch's leads to its drain's cluster-wide count and answers the new total (null when
   * Redis did not answer: progress is only for show).
   */
  countDrained(drain: string, leads: number): Promise<number | null>;
  /** Makes sure a batch job runs when the earliest retry of a batch falls due. */
  scheduleRetryWakeUp(at: Date | null): Promise<void>;
}
