import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@leadsync/config';
import { createDb } from '@leadsync/db';
import { type IsolatedStack, withClient } from '@leadsync/local-stack';
import { createJobResults, createSyncProducer } from '@leadsync/queue';
import { type AppDeps, createApp } from '../app.js';
import { apiDbConfig, loadApiConfig } from '../config.js';
import { createApiOperations } from '../operations.js';
import { createApiRedis } from '../redis.js';
import { createApiZoho } from '../zoho.js';

export const TEST_CRON_SECRET = 'test-cron-secret-0123456789';
const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

export interface TestApi {
  url: string;
  deps: AppDeps;
  /** Lead ids whose sync nudge Redis accepted (the producer deduplicates jobs, so the queue cannot tell). */
  nudged: string[];
  stop(): Promise<void>;
}

export interface TestApiOptions {
  /** Wait for Redis before serving, so the first requests are counted and nudged (default true). */
  waitForRedis?: boolean;
  /** Listen here instead of a random port (when the URL must be known up front, e.g. ZOHO_REDIRECT_URI). */
  port?: number;
}

/** The real app on a random port, wired to a test file's own stack, as server.ts wires it. */
export async function startTestApi(
  stack: IsolatedStack,
  env: Record<string, string> = {},
  options: TestApiOptions = {},
): Promise<TestApi> {
  const config = loadApiConfig({
    SUPABASE_URL: stack.supabaseUrl,
    SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey,
    REDIS_URL: stack.redisUrl,
    REDIS_PREFIX: stack.redisPrefix,
    CRON_SECRET: TEST_CRON_SECRET,
    TOKEN_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    INTAKE_RATE_LIMIT: '10000',
    ...env,
  });
  const logger = createLogger({ name: 'api-test', level: config.LOG_LEVEL });
  const producer = createSyncProducer({
    redisUrl: config.REDIS_URL,
    clusterNodes: config.REDIS_CLUSTER_NODES,
    prefix: config.REDIS_PREFIX,
  });
  const nudged: string[] = [];
  const db = createDb(apiDbConfig(config));
  const redis = createApiRedis(config, logger);
  const deps: AppDeps = {
    config,
    logger,
    db,
    // the real producer, with a note of each nudge it delivered
    producer: {
      ...producer,
      enqueueSync: async (leadId) => {
        const jobId = await producer.enqueueSync(leadId);
        nudged.push(leadId);
        return jobId;
      },
    },
    redis,
    operations: createApiOperations(config),
    zoho: createApiZoho(config, db, redis),
    jobResults: createJobResults(config),
  };
  if (options.waitForRedis ?? true) {
    await Promise.all([producer.queue.waitUntilReady(), deps.redis.status === 'ready' || once(deps.redis, 'ready')]);
  }
  const server = createApp(deps).listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deps,
    nudged,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      // Forced: a graceful close waits for a Redis a fault test may have stopped, and BullMQ's
      // reconnect timer would then keep jest alive.
      await producer.queue.getBackend().close(true);
      await deps.operations.close();
      await deps.jobResults.close();
      deps.redis.disconnect();
    },
  };
}

export async function countLeads(stack: IsolatedStack): Promise<number> {
  const { rows } = await withClient(stack.databaseUrl, (c) => c.query('select count(*)::int as n from leads'));
  return rows[0].n;
}

export async function leadRow(stack: IsolatedStack, id: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await withClient(stack.databaseUrl, (c) => c.query('select * from leads where id = $1', [id]));
  return rows[0];
}

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
  body: any;
}

/** fetch, reading the body as JSON when it is JSON. */
export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  const text = await res.text();
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, headers: res.headers, body: isJson && text ? JSON.parse(text) : text };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return call(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}
