import type { Db, LeadStats } from '@leadsync/db';
import type { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { JOB_STATES } from './health.js';
import { type PauseReason, readZohoPressure, type ZohoPressureFacts } from './pressure.js';

/**
 * Batches, Zoho calls and token refreshes happen in worker processes, but /metrics is served by
 * the API. So workers add to cluster-wide counters in one Redis hash and the API reads it at
 * scrape time: every API replica shows the same totals (query them with max(), not sum()).
 * Each field is JSON [metric name, labels].
 */
export const metricsKey = (prefix: string) => `${prefix}:metrics`;

export const BATCH_SIZE_BUCKETS = [1, 5, 10, 25, 50, 75, 100] as const;

const field = (name: string, labels: Record<string, string> = {}) => JSON.stringify([name, labels]);

export interface BatchCounts {
  claimed: number;
  synced: number;
  failed: number;
  retrying: number;
  released: number;
}

export interface SyncMetricsRecorder {
  batch(outcome: BatchCounts): void;
  zohoCall(endpoint: string, outcome: 'ok' | 'error', code?: string): void;
  tokenRefresh(outcome: 'ok' | 'error'): void;
}

/** Worker side. Fire and forget: a metric lost while Redis blips must never slow down or fail a sync. */
export function createSyncMetricsRecorder(redis: Redis | Cluster, prefix: string): SyncMetricsRecorder {
  const key = metricsKey(prefix);
  const add = (increments: Array<[string, number]>) => {
    const pipeline = redis.pipeline();
    for (const [f, n] of increments) if (n !== 0) pipeline.hincrby(key, f, n);
    pipeline.exec().catch(() => undefined);
  };
  return {
    batch(o) {
      const bucket = BATCH_SIZE_BUCKETS.find((le) => o.claimed <= le);
      add([
        [field('leadsync_sync_batches_total'), 1],
        [field('leadsync_sync_batch_size_bucket', { le: bucket === undefined ? '+Inf' : String(bucket) }), 1],
        [field('leadsync_sync_batch_size_sum'), o.claimed],
        [field('leadsync_sync_batch_size_count'), 1],
        [field('leadsync_sync_lead_results_total', { outcome: 'synced' }), o.synced],
        [field('leadsync_sync_lead_results_total', { outcome: 'failed' }), o.failed],
        [field('leadsync_sync_lead_results_total', { outcome: 'retry' }), o.retrying],
        [field('leadsync_sync_lead_results_total', { outcome: 'released' }), o.released],
      ]);
    },
    zohoCall(endpoint, outcome, code) {
      add([[field('leadsync_zoho_calls_total', { endpoint, outcome, code: code ?? '' }), 1]]);
    },
    tokenRefresh(outcome) {
      add([[field('leadsync_token_refreshes_total', { outcome }), 1]]);
    },
  };
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

interface Snapshot {
  counters: Array<{ name: string; labels: Record<string, string>; value: number }> | null;
  leads: LeadStats | null;
  queues: Record<string, Record<string, number>> | null;
  pressure: ZohoPressureFacts | null;
}

const PAUSE_REASONS: PauseReason[] = ['credits_exhausted', 'credit_reserve', 'concurrency_backoff', 'zoho_outage'];

export interface ClusterMetricsSources {
  redis: Pick<Redis, 'hgetall' | 'mget'>;
  prefix: string;
  db: Pick<Db, 'stats'>;
  queues: Array<Pick<Queue, 'name' | 'getJobCounts'>>;
}

function parseCounters(raw: Record<string, string>): NonNullable<Snapshot['counters']> {
  const out: NonNullable<Snapshot['counters']> = [];
  for (const [f, v] of Object.entries(raw)) {
    try {
      const [name, labels] = JSON.parse(f) as [string, Record<string, string>];
      out.push({
        name,
        labels: Object.fromEntries(Object.entries(labels).filter(([, l]) => l !== '')),
        value: Number(v),
      });
    } catch {
      // a field another version wrote differently: skip rather than break the scrape
    }
  }
  return out;
}

/**
 * API side: gauges read from the database and the queues, and the workers' counters from Redis,
 * all at scrape time. One snapshot serves every metric of a scrape; an unreachable source leaves
 * its series out (and leadsync_dependency_up at 0) instead of failing the scrape.
 */
export function registerClusterMetrics(registry: Registry, sources: ClusterMetricsSources): void {
  // prom-client asks every metric at once; they share the reads in flight, and the next scrape reads anew
  let inFlight: Promise<Snapshot> | null = null;
  const snapshot = (): Promise<Snapshot> => {
    inFlight ??= (async (): Promise<Snapshot> => {
      const [counters, leads, queues, pressure] = await Promise.all([
        sources.redis.hgetall(metricsKey(sources.prefix)).then(parseCounters, () => null),
        sources.db.stats.leads().catch(() => null),
        Promise.all(sources.queues.map(async (q) => [q.name, await q.getJobCounts(...JOB_STATES)] as const)).then(
          Object.fromEntries,
          () => null,
        ),
        readZohoPressure(sources.redis, sources.prefix, Date.now(), false).catch(() => null),
      ]);
      return { counters, leads, queues, pressure };
    })().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  const define = (
    name: string,
    help: string,
    type: 'counter' | 'gauge' | 'histogram',
    values: (s: Snapshot) => Sample[],
  ) => {
    const metric = {
      name,
      help,
      type,
      aggregator: 'sum',
      reset() {},
      async get() {
        return { name, help, type, aggregator: 'sum', values: values(await snapshot()) };
      },
    };
    // prom-client formats anything with this shape; its types only know its own classes
    registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  };

  const counter = (name: string, help: string, zeroWhenEmpty = false) =>
    define(name, help, 'counter', (s) => {
      const found = (s.counters ?? []).filter((c) => c.name === name).map(({ labels, value }) => ({ labels, value }));
      return found.length === 0 && zeroWhenEmpty && s.counters ? [{ labels: {}, value: 0 }] : found;
    });

  counter('leadsync_sync_batches_total', 'Sync batches claimed and sent, across all workers.', true);
  counter('leadsync_sync_lead_results_total', 'Per-lead results of sync batches, by outcome, across all workers.');
  counter(
    'leadsync_zoho_calls_total',
    'Zoho API calls by endpoint and outcome (code: the error code), across all workers.',
  );
  counter('leadsync_token_refreshes_total', 'Zoho access-token refresh attempts by outcome, across all processes.');

  define('leadsync_sync_batch_size', 'Leads per sync batch, across all workers.', 'histogram', (s) => {
    if (!s.counters) return [];
    const get = (n: string, le?: string) =>
      s.counters?.find((c) => c.name === n && (le === undefined || c.labels.le === le))?.value ?? 0;
    let cumulative = 0;
    const samples: Sample[] = [];
    for (const le of [...BATCH_SIZE_BUCKETS.map(String), '+Inf']) {
      cumulative += get('leadsync_sync_batch_size_bucket', le);
      samples.push({ metricName: 'leadsync_sync_batch_size_bucket', labels: { le }, value: cumulative });
    }
    samples.push({
      metricName: 'leadsync_sync_batch_size_sum',
      labels: {},
      value: get('leadsync_sync_batch_size_sum'),
    });
    samples.push({
      metricName: 'leadsync_sync_batch_size_count',
      labels: {},
      value: get('leadsync_sync_batch_size_count'),
    });
    return samples;
  });

  define('leadsync_leads', 'Leads in the database by status.', 'gauge', (s) =>
    Object.entries(s.leads?.by_status ?? {}).map(([status, value]) => ({ labels: { status }, value })),
  );
  define('leadsync_leads_by_source', 'Leads in the database by intake source.', 'gauge', (s) =>
    Object.entries(s.leads?.by_source ?? {}).map(([source, value]) => ({ labels: { source }, value: value ?? 0 })),
  );
  define('leadsync_leads_success_ratio', 'Synced / (synced + failed) over all leads.', 'gauge', (s) =>
    s.leads?.success_rate == null ? [] : [{ labels: {}, value: s.leads.success_rate }],
  );
  define('leadsync_oldest_pending_lead_age_seconds', 'Age of the oldest pending lead (0 when none).', 'gauge', (s) => {
    if (!s.leads) return [];
    const at = s.leads.oldest_pending_at;
    return [{ labels: {}, value: at ? Math.max(0, (Date.now() - Date.parse(at)) / 1000) : 0 }];
  });
  define('leadsync_queue_jobs', 'BullMQ jobs by queue and state.', 'gauge', (s) =>
    Object.entries(s.queues ?? {}).flatMap(([queue, counts]) =>
      Object.entries(counts).map(([state, value]) => ({ labels: { queue, state }, value })),
    ),
  );
  define(
    'leadsync_zoho_credits_remaining',
    "Zoho API credits left in the rolling 24 h, as last reported (absent: not reported, i.e. under half the day's used).",
    'gauge',
    (s) => (s.pressure?.credits.remaining == null ? [] : [{ labels: {}, value: s.pressure.credits.remaining }]),
  );
  define('leadsync_zoho_credit_reserve', 'ZOHO_CREDIT_RESERVE in credits: the sync waits at it.', 'gauge', (s) =>
    s.pressure?.credits.reserve == null ? [] : [{ labels: {}, value: s.pressure.credits.reserve }],
  );
  define(
    'leadsync_sync_concurrency',
    'Zoho calls the sync may have in flight now, across all workers.',
    'gauge',
    (s) => (s.pressure?.concurrency ? [{ labels: {}, value: s.pressure.concurrency.current }] : []),
  );
  define('leadsync_sync_concurrency_max', 'SYNC_CONCURRENCY: the most the sync ever has in flight.', 'gauge', (s) =>
    s.pressure?.concurrency ? [{ labels: {}, value: s.pressure.concurrency.max }] : [],
  );
  define('leadsync_sync_paused', 'Whether the sync is paused (1) or not (0), by reason.', 'gauge', (s) =>
    s.pressure
      ? PAUSE_REASONS.map((reason) => ({ labels: { reason }, value: s.pressure?.pause?.reason === reason ? 1 : 0 }))
      : [],
  );
  define(
    'leadsync_sync_paused_until_seconds',
    'When the current pause ends (Unix seconds); absent when not paused.',
    'gauge',
    (s) => {
      const until = s.pressure?.pause?.until;
      return until ? [{ labels: {}, value: Date.parse(until) / 1000 }] : [];
    },
  );
  define(
    'leadsync_dependency_up',
    'Whether the last scrape could read Redis and Supabase (1) or not (0).',
    'gauge',
    (s) => [
      { labels: { dependency: 'redis' }, value: s.counters && s.queues ? 1 : 0 },
      { labels: { dependency: 'supabase' }, value: s.leads ? 1 : 0 },
    ],
  );
}
