import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createLogger } from '@leadsync/config';
import { createDb, type Db, type LeadFields, type LeadSource } from '@leadsync/db';
import {
  deleteKeysUnder,
  type IsolatedStack,
  spawnWorkerProcess,
  stackEnv,
  startIsolatedStack,
  waitFor,
  withClient,
} from '@leadsync/local-stack';
import { connectionOptions, JOBS, QUEUES } from '@leadsync/queue';
import { loadWorkerConfig, type WorkerConfig } from '@leadsync/worker/config';
import { type RunningWorker, startWorker } from '@leadsync/worker/runtime';
import { createWorkerZoho } from '@leadsync/worker/zoho';
import { startZohoSim, type ZohoSim, type ZohoSimOptions } from '@leadsync/zoho-sim';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * Everything a sync test needs, all its own: a database + PostgREST + gateway, a Zoho simulator,
 * a Redis key prefix, Zoho tokens seeded against the simulator, and workers (in-process or as
 * real processes that can be SIGKILLed).
 */
export interface SyncHarness {
  stack: IsolatedStack;
  sim: ZohoSim;
  db: Db;
  env: Record<string, string>;
  /** Inserts `n` quote leads in one SQL statement (for large drains). */
  storeLeadsBulk(n: number): Promise<void>;
  /** Stores `n` leads straight into the database (intake is tested elsewhere). */
  storeLeads(n: number, make?: (i: number) => { source?: LeadSource; fields: LeadFields }): Promise<string[]>;
  startWorker(env?: Record<string, string>): Promise<RunningWorker>;
  spawnWorker(env?: Record<string, string>): ChildProcess;
  /** The refresh token the store was seeded with (a test revokes it to need re-authorisation). */
  refreshToken: string;
  /** A fresh grant in the token store, as re-connecting Zoho (onboarding) leaves it. */
  reconnect(): Promise<void>;
  /** Adds a drain job, as the daily scheduler or an admin would. */
  triggerDrain(): Promise<void>;
  countByStatus(): Promise<Record<string, number>>;
  waitForStatus(status: string, count: number, timeoutMs?: number): Promise<void>;
  teardown(): Promise<void>;
}

export async function startSyncHarness(
  label: string,
  options: { sim?: ZohoSimOptions; env?: Record<string, string> } = {},
): Promise<SyncHarness> {
  const stack = await startIsolatedStack(label);
  const sim = await startZohoSim(options.sim);
  const db = createDb({ url: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey });
  // a test may bring a Redis of its own (to stop and restart it) through env.REDIS_URL
  const redisUrl = options.env?.REDIS_URL ?? stack.redisUrl;
  const env = stackEnv({ ...stack, redisUrl }, sim, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    ZOHO_TIMEOUT_MS: '2000',
    SYNC_BACKOFF_BASE_MS: '200',
    SYNC_BACKOFF_MAX_MS: '2000',
    SYNC_SWEEP_EVERY_MS: '1000',
    ...options.env,
  });

  // Seed the token store the way ZOHO_REFRESH_TOKEN does, through the same code path.
  const seedRedis = new Redis(redisUrl);
  // a test that restarts its Redis would otherwise print every reconnection failure
  seedRedis.on('error', () => {});
  const seedConfig = loadWorkerConfig(env);
  const seed = (refreshToken: string) =>
    createWorkerZoho(seedConfig, db, seedRedis, env).tokens.seedRefreshToken({
      refreshToken,
      accountsServer: sim.accountsUrl,
      apiDomain: sim.apiDomain,
    });
  const refreshToken = sim.control.issueRefreshToken();
  await seed(refreshToken);

  const running: Array<{ worker: RunningWorker; redis: Redis }> = [];
  const children: ChildProcess[] = [];
  const syncQueue = new Queue(QUEUES.sync, {
    connection: connectionOptions(redisUrl),
    prefix: stack.redisPrefix,
  });

  const countByStatus = async () => {
    const stats = await db.stats.leads();
    return stats.by_status as Record<string, number>;
  };

  return {
    stack,
    sim,
    db,
    env,
    refreshToken,
    async reconnect() {
      await seed(sim.control.issueRefreshToken());
    },
    async storeLeads(n, make) {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const spec = make?.(i) ?? {
          fields: { name: `Lead ${i} Tester`, email: `lead-${i}-${randomUUID().slice(0, 8)}@example.com` },
        };
        const res = await db.leads.intake({ source: spec.source ?? 'quote_form', fields: spec.fields, rawPayload: {} });
        ids.push(res.id!);
      }
      return ids;
    },
    async storeLeadsBulk(n) {
      await withClient(stack.databaseUrl, (c) =>
        c.query(
          `insert into leads (source, name, email)
           select 'quote_form', 'Bulk Person' || i, 'bulk-' || i || '-' || $2 || '@example.com' from generate_series(1, $1) i`,
          [n, randomUUID().slice(0, 8)],
        ),
      );
    },
    async startWorker(extra = {}) {
      const config: WorkerConfig = loadWorkerConfig({ ...env, ...extra });
      const redis = new Redis(redisUrl);
      const logger = createLogger({ name: 'worker', level: config.LOG_LEVEL });
      const worker = await startWorker({
        config,
        db,
        zoho: createWorkerZoho(config, db, redis, { ...env, ...extra }),
        logger,
      });
      running.push({ worker, redis });
      return worker;
    },
    spawnWorker(extra = {}) {
      const { child } = spawnWorkerProcess({ ...env, ...extra }, { output: 'stderr' });
      children.push(child);
      return child;
    },
    async triggerDrain() {
      await syncQueue.add(JOBS.syncBatch.name, JOBS.syncBatch.schema.parse({ reason: 'admin' }));
    },
    countByStatus,
    async waitForStatus(status, count, timeoutMs = 60_000) {
      await waitFor(async () => ((await countByStatus())[status] ?? 0) >= count, `${count} leads ${status}`, timeoutMs);
    },
    async teardown() {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      for (const { worker, redis } of running) {
        await worker.close().catch(() => {});
        redis.disconnect();
      }
      await syncQueue.close();
      // the stack's teardown clears its prefix on its own Redis; a test's own Redis is cleared here
      if (redisUrl !== stack.redisUrl) await deleteKeysUnder(seedRedis, stack.redisPrefix);
      seedRedis.disconnect();
      await sim.close();
      await stack.teardown();
    },
  };
}
