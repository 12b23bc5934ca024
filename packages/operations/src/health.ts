import { withTimeout } from '@leadsync/config';
import type { Db } from '@leadsync/db';
import { SCHEDULERS } from '@leadsync/queue';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type HealthFacts, tokenHealth } from './facts.js';
import { readZohoPressure } from './pressure.js';
import { type HealthThresholds, type Recommendation, recommendationsFor, worstSeverity } from './recommendations.js';

export interface HealthReport extends HealthFacts {
  /** The worst severity among the recommendations, or ok. */
  status: 'ok' | 'warning' | 'critical';
  recommendations: Recommendation[];
}

export interface QueueProbe {
  queue: Pick<Queue, 'name' | 'getJobCounts' | 'getJobScheduler'>;
  /** Ids of the schedulers that must exist on this queue. */
  schedulers: string[];
}

type ProbedQueue = QueueProbe['queue'];

/** The queues health reads, with the schedulers every deployment needs whatever its SYNC_MODE. */
export function standardQueueProbes(queues: { sync: ProbedQueue; token: ProbedQueue }): QueueProbe[] {
  return [
    { queue: queues.sync, schedulers: [SCHEDULERS.dailyDrain] },
    { queue: queues.token, schedulers: [SCHEDULERS.tokenRefresh] },
  ];
}

export interface HealthSources {
  db: Pick<Db, 'stats' | 'tokens'>;
  queues: QueueProbe[];
  redisPing: () => Promise<unknown>;
  thresholds: HealthThresholds;
  /** Where the workers keep Zoho's credits, the concurrency and pauses (pressure.ts). */
  zohoPressure?: { redis: Pick<Redis, 'mget'>; prefix: string };
  now?: () => Date;
  /** Each probe gets this long: a hung Redis or gateway must not hang the health report. */
  probeTimeoutMs?: number;
}

export const JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'failed',
  'completed',
] as const;

async function within<T>(ms: number, work: () => Promise<T>): Promise<T> {
  return withTimeout(work(), ms);
}

const orNull = <T>(p: Promise<T>): Promise<T | null> => p.catch(() => null);

async function readQueues(probes: QueueProbe[]) {
  const queues: Record<string, Record<string, number>> = {};
  const present: string[] = [];
  const missing: string[] = [];
  for (const { queue, schedulers } of probes) {
    queues[queue.name] = await queue.getJobCounts(...JOB_STATES);
    for (const id of schedulers) ((await queue.getJobScheduler(id)) ? present : missing).push(id);
  }
  return { queues, schedulers: { present, missing } };
}

/** Measures everything health shows, each source on its own so one outage still leaves the rest readable. */
export async function collectFacts(sources: HealthSources): Promise<HealthFacts> {
  const ms = sources.probeTimeoutMs ?? 2000;
  const [leads, token, redisOk, queueFacts] = await Promise.all([
    orNull(within(ms, () => sources.db.stats.leads())),
    orNull(within(ms, () => sources.db.tokens.status())),
    within(ms, sources.redisPing).then(
      () => true,
      () => false,
    ),
    orNull(within(ms, () => readQueues(sources.queues))),
  ]);
  const checkedAt = sources.now?.() ?? new Date();
  const tokenFacts = token ? tokenHealth(token) : null;
  const pressure = sources.zohoPressure;
  const zoho = pressure
    ? await orNull(
        within(ms, () =>
          readZohoPressure(
            pressure.redis,
            pressure.prefix,
            checkedAt.getTime(),
            tokenFacts?.needs_reauthorization ?? false,
          ),
        ),
      )
    : undefined;
  return {
    checked_at: checkedAt.toISOString(),
    // either read succeeding proves the database answers
    checks: { supabase: leads || token ? 'ok' : 'unavailable', redis: redisOk && queueFacts ? 'ok' : 'unavailable' },
    token: tokenFacts,
    leads,
    queues: queueFacts?.queues ?? null,
    schedulers: queueFacts?.schedulers ?? null,
    ...(zoho !== undefined && { zoho }),
  };
}

export function withRecommendations(facts: HealthFacts, thresholds: HealthThresholds): HealthReport {
  const recommendations = recommendationsFor(facts, thresholds);
  return { status: worstSeverity(recommendations), ...facts, recommendations };
}

export async function collectHealth(sources: HealthSources): Promise<HealthReport> {
  return withRecommendations(await collectFacts(sources), sources.thresholds);
}
