import type { TokenManager } from '@leadsync/zoho-client';
import type { SyncDeps } from '../sync/sync-batch.js';

/** What the sync-queue processors share within one worker process. */
export interface SyncJobContext {
  sync: SyncDeps;
  tokens: TokenManager;
  /** Batches a drain keeps in flight. */
  parallelBatches: number;
  /** Aborted on shutdown: drains finish their batches in flight and claim no more. */
  signal: AbortSignal;
  /** Makes sure a drain runs when the earliest retry of a batch falls due. */
  scheduleRetryWakeUp(at: Date | null): Promise<void>;
}
