import {
  type AttentionQueues,
  createAttentionQueues,
  createRedisConnections,
  JOB_RETENTION,
  QUEUES,
  Queue,
} from '@leadsync/queue';
import type { ApiConfig } from './config.js';

/** What the operations surfaces (health report, metrics) need beyond intake's deps. */
export interface ApiOperations {
  /** The token queue, read for its counts and its scheduler (the sync queue is the producer's). */
  tokenQueue: Queue;
  /** lead-attention and lead-spam: intake adds spam jobs, the retry route clears jobs, Bull Board shows them. */
  attention: AttentionQueues;
  close(): Promise<void>;
}

export function createApiOperations(
  config: Pick<ApiConfig, 'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'REDIS_PREFIX'>,
): ApiOperations {
  const redis = createRedisConnections(config);
  // A health check must not wait out a Redis outage either.
  const tokenQueue = new Queue(QUEUES.token, {
    prefix: config.REDIS_PREFIX,
    connection: redis.bullmq('fail-fast'),
    defaultJobOptions: JOB_RETENTION,
  });
  tokenQueue.on('error', () => {}); // the API's Redis client already logs outages
  const attention = createAttentionQueues(redis.bullmq('fail-fast'), config.REDIS_PREFIX);
  return {
    tokenQueue,
    attention,
    // Forced: a graceful close would wait for a Redis that may be gone.
    close: async () => {
      await Promise.all([tokenQueue, attention.failed, attention.spam].map((q) => q.getBackend().close(true)));
      await redis.close(true);
    },
  };
}
