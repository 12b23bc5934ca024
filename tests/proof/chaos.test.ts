import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, type RedisProcess, startRedisServer, waitFor, withClient } from '@leadsync/local-stack';
import { startTestApi, type TestApi } from '../../apps/api/src/testing/harness.js';
import { type SyncHarness, startSyncHarness } from '../support/sync-harness.js';
import { intFrom, prng, seedFrom } from './support.js';

/**
 * Chaos soak: leads posted by concurrent clients (both endpoints, JSON and forms, most with an
 * Idempotency-Key) while faults hit every part of the system on a seeded random schedule: Zoho
 * 5xx, 429, hangs and lost answers, expired tokens, a worker SIGKILLed and replaced, Redis
 * restarted, PostgREST restarted. Then: every acknowledged lead is in the simulator exactly once,
 * nothing failed but the leads designed to be refused by Zoho, and the token refresh budget held.
 *
 *   npm run test:chaos                                  CI size (1,000 leads)
 *   CHAOS_LEADS=10000 npm run test:chaos                the soak
 *   CHAOS_SEED=1234 npm run test:chaos                  replay a schedule
 */
const LEADS = intFrom('CHAOS_LEADS', 1000);
const SEED = seedFrom('CHAOS_SEED', Date.now() % 2 ** 31);
const CLIENTS = intFrom('CHAOS_CLIENTS', 8);
/** Intake is spread over this long, so the faults land while leads are arriving. */
const INTAKE_SECONDS = intFrom('CHAOS_SECONDS', Math.max(30, Math.ceil(LEADS / 60)));
/** Every Nth lead carries a company the simulator refuses (valid for intake, invalid for Zoho). */
const REJECT_EVERY = 50;
const REFRESH_LIMIT = 9;

let h: SyncHarness;
let redis: RedisProcess;
let redisPort: number;
let api: TestApi;
const workers: ChildProcess[] = [];
const random = prng(SEED);
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  console.log(`chaos: CHAOS_SEED=${SEED} CHAOS_LEADS=${LEADS} clients=${CLIENTS} intake≈${INTAKE_SECONDS}s`);
  // a Redis of our own, so it can be restarted (on the same port) without touching anyone else's
  redisPort = await freePort();
  redis = await startRedisServer(redisPort);
  h = await startSyncHarness('proof-chaos', {
    sim: { latencyMs: 40, jitterMs: 30 },
    env: {
      REDIS_URL: redis.url,
      SYNC_LEASE_SECONDS: '10',
      SYNC_CONCURRENCY: '3',
      SYNC_MAX_ATTEMPTS: '40',
      ZOHO_TIMEOUT_MS: '1500',
      ZOHO_RATE_LIMIT_WAIT_MS: '500',
    },
  });
  h.sim.control.rejectRecords({ pattern: '^Designed Reject', field: 'Company', message: 'designed to be refused' });
  api = await startTestApi(h.stack, {
    REDIS_URL: redis.url,
    REDIS_PREFIX: h.stack.redisPrefix,
    INTAKE_RATE_LIMIT: '0',
    SYNC_MODE: 'immediate',
  });
  workers.push(h.spawnWorker(), h.spawnWorker());
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await h?.teardown();
  await redis?.stop();
}, 60_000);

interface Lead {
  i: number;
  source: 'quote_form' | 'chatbot';
  form: boolean;
  key: string | undefined;
  email: string;
  designedInvalid: boolean;
  body: Record<string, string>;
}

function makeLead(i: number, runId: string): Lead {
  const source = i % 2 === 0 ? 'quote_form' : 'chatbot';
  const designedInvalid = i % REJECT_EVERY === REJECT_EVERY - 1;
  const email = `chaos-${i}-${runId}@example.com`;
  const body: Record<string, string> = {
    name: `Chaos Person${i} Ünïcode`,
    email,
    phone: `+1 555 ${String(i).padStart(7, '0')}`,
    company: designedInvalid ? `Designed Reject ${i}` : `Chaos Co ${i}`,
  };
  if (source === 'quote_form') body.message = `Lead ${i} of the chaos soak.\nSecond line.`;
  else body.transcript = `visitor: hello from lead ${i}`;
  // most clients send an Idempotency-Key; the rest retry without one, as simple clients do
  return { i, source, form: i % 3 === 0, key: i % 5 === 4 ? undefined : randomUUID(), email, designedInvalid, body };
}

const figures = {
  acknowledged: 0,
  attempts: 0,
  retried: 0,
  answers: {} as Record<string, number>,
  faults: {} as Record<string, number>,
};
const acknowledged = new Map<string, Lead>(); // lead id → lead
const unexpected: string[] = [];

/** Posts until acknowledged (202): 503, other 5xx, 409 and network errors are "not yet", as for a real client. */
async function deliver(lead: Lead): Promise<void> {
  const path = lead.source === 'quote_form' ? '/api/store-lead' : '/api/chatbot-leads';
  for (let attempt = 0; attempt < 200; attempt++) {
    figures.attempts += 1;
    if (attempt > 0) figures.retried += 1;
    let status: number;
    let body: unknown;
    try {
      const res = await fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': lead.form ? 'application/x-www-form-urlencoded' : 'application/json',
          ...(lead.key ? { 'idempotency-key': lead.key } : {}),
        },
        body: lead.form ? new URLSearchParams(lead.body).toString() : JSON.stringify(lead.body),
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      body = await res.json().catch(() => undefined);
    } catch {
      status = 0; // network error or timeout: not acknowledged
    }
    figures.answers[status] = (figures.answers[status] ?? 0) + 1;
    if (status === 202) {
      const id = (body as { id: string }).id;
      acknowledged.set(id, lead);
      figures.acknowledged += 1;
      return;
    }
    if (status >= 400 && status < 500 && status !== 409) {
      unexpected.push(`lead ${lead.i}: ${status} ${JSON.stringify(body)}`);
      return;
    }
    await sleep(between(100, 500));
  }
  unexpected.push(`lead ${lead.i}: never acknowledged`);
}

type Fault = () => Promise<void>;
const FAULTS: Record<string, Fault> = {
  zoho_5xx: async () => {
    h.sim.control.injectFaults({
      kind: 'status',
      status: [500, 502, 503][between(0, 2)]!,
      count: between(1, 5),
      endpoint: 'upsert',
    });
  },
  zoho_429: async () => {
    h.sim.control.injectFaults({ kind: 'status', status: 429, count: between(1, 4), endpoint: 'upsert' });
  },
  zoho_hang: async () => {
    h.sim.control.injectFaults({ kind: 'hang', count: between(1, 2), endpoint: 'upsert' });
  },
  zoho_answer_lost: async () => {
    h.sim.control.injectFaults({ kind: 'drop', phase: 'after', count: 1, endpoint: 'upsert' });
  },
  tokens_expired: async () => {
    h.sim.control.expireAccessTokens();
  },
  worker_kill9: async () => {
    const alive = workers.filter((w) => w.exitCode === null && w.signalCode === null);
    const victim = alive[between(0, alive.length - 1)];
    if (victim) {
      victim.kill('SIGKILL');
      await new Promise((r) =>
        victim.exitCode !== null || victim.signalCode !== null ? r(null) : victim.once('exit', r),
      );
    }
    workers.push(h.spawnWorker());
  },
  redis_restart: async () => {
    await redis.stop();
    await sleep(between(300, 1500));
    redis = await startRedisServer(redisPort);
  },
  postgrest_restart: async () => {
    await h.stack.stopPostgrest();
    await sleep(between(300, 1500));
    await h.stack.startPostgrest();
  },
};

/** Every kind once in a seeded order, then random ones, spaced over the intake window. */
async function runFaults(until: () => boolean): Promise<void> {
  const kinds = Object.keys(FAULTS);
  const order = [...kinds].sort(() => random() - 0.5);
  const gapMs = Math.max(1000, Math.floor((INTAKE_SECONDS * 1000) / (kinds.length + 2)));
  await sleep(gapMs / 2);
  for (let n = 0; n < order.length || !until(); n++) {
    const kind = order[n] ?? kinds[between(0, kinds.length - 1)]!;
    figures.faults[kind] = (figures.faults[kind] ?? 0) + 1;
    const t0 = Date.now();
    await FAULTS[kind]!();
    process.stderr.write(
      `chaos: ${kind} (${Date.now() - t0} ms); acknowledged ${figures.acknowledged}/${LEADS}, attempts ${figures.attempts}\n`,
    );
    await sleep(between(Math.floor(gapMs / 2), gapMs));
  }
}

async function statusCounts(): Promise<Record<string, number>> {
  const { rows } = await withClient(h.stack.databaseUrl, (c) =>
    c.query('select status, count(*)::int as n from leads group by status'),
  );
  return Object.fromEntries(rows.map((r) => [r.status as string, r.n as number]));
}

describe('chaos soak', () => {
  it(`delivers ${LEADS} leads exactly once through injected faults`, async () => {
    const started = Date.now();
    const runId = randomUUID().slice(0, 8);
    const leads = Array.from({ length: LEADS }, (_, i) => makeLead(i, runId));
    let next = 0;
    let clientsDone = false;
    const perClientGapMs = (INTAKE_SECONDS * 1000 * CLIENTS) / LEADS;
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (next < leads.length) {
        const lead = leads[next++]!;
        const t0 = Date.now();
        await deliver(lead);
        await sleep(Math.max(0, perClientGapMs - (Date.now() - t0)) * (0.5 + random()));
      }
    });
    const faults = runFaults(() => clientsDone);
    await Promise.all(clients);
    clientsDone = true;
    await faults;
    const intakeSeconds = (Date.now() - started) / 1000;

    // calm: no more faults; at least two workers alive; drain until nothing is pending
    h.sim.control.clearFaults();
    await waitFor(async () => (await fetch(`${api.url}/readyz`)).ok, 'Redis and Supabase back', 30_000);
    const alive = workers.filter((w) => w.exitCode === null && w.signalCode === null);
    expect(alive.length).toBeGreaterThanOrEqual(2);
    await waitFor(
      async () => {
        await h.triggerDrain();
        const s = await statusCounts();
        return (s.pending ?? 0) + (s.syncing ?? 0) === 0;
      },
      'every lead synced or failed',
      180_000,
    );
    const drainSeconds = (Date.now() - started) / 1000 - intakeSeconds;

    // the books
    const { rows } = await withClient(h.stack.databaseUrl, (c) =>
      c.query('select id, email, status, zoho_id, last_error_message from leads'),
    );
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    const lost: string[] = [];
    const wronglyFailed: string[] = [];
    const designedNotFailed: string[] = [];
    for (const [id, lead] of acknowledged) {
      const row = byId.get(id);
      if (!row) {
        lost.push(`${id} (lead ${lead.i}) not in the database`);
        continue;
      }
      if (lead.designedInvalid) {
        if (row.status !== 'failed') designedNotFailed.push(`lead ${lead.i}: ${row.status}`);
      } else if (row.status !== 'synced') {
        if (row.status === 'failed') wronglyFailed.push(`lead ${lead.i}: ${row.last_error_message}`);
        else lost.push(`${id} (lead ${lead.i}) ${row.status}`);
      }
    }
    const counters = h.sim.control.counters();
    const records = h.sim.control.records();
    const simEmails = new Set(records.map((r) => String(r.Email).toLowerCase()));
    const ackPeople = new Set([...acknowledged.values()].filter((l) => !l.designedInvalid).map((l) => l.email));
    const missingInZoho = [...ackPeople].filter((e) => !simEmails.has(e));
    const extraInZoho = [...simEmails].filter((e) => !ackPeople.has(e));
    const result = {
      seed: SEED,
      leads: LEADS,
      acknowledged_requests: figures.acknowledged,
      acknowledged_ids: acknowledged.size,
      acknowledged_people: ackPeople.size,
      designed_invalid: [...acknowledged.values()].filter((l) => l.designedInvalid).length,
      synced: rows.filter((r) => r.status === 'synced').length,
      failed: rows.filter((r) => r.status === 'failed').length,
      zoho_records: counters.records,
      duplicates: counters.duplicateEmails,
      lost: lost.length + missingInZoho.length,
      refreshes: counters.refreshes.total,
      refresh_limit: REFRESH_LIMIT,
      throttled_refreshes: counters.throttledRefreshes,
      client_attempts: figures.attempts,
      client_retries: figures.retried,
      answers: figures.answers,
      faults: figures.faults,
      zoho_faults_served: counters.faultsServed,
      intake_s: Math.round(intakeSeconds),
      drain_after_intake_s: Math.round(drainSeconds),
    };
    console.log(`chaos figures: ${JSON.stringify(result)}`);

    expect(unexpected).toEqual([]);
    expect(acknowledged.size).toBeGreaterThan(0);
    // every lead was eventually acknowledged (the clients retried through every fault)
    expect(ackPeople.size + result.designed_invalid).toBe(LEADS);
    expect(lost).toEqual([]);
    expect(wronglyFailed).toEqual([]);
    expect(designedNotFailed).toEqual([]);
    expect(missingInZoho).toEqual([]);
    expect(extraInZoho).toEqual([]);
    expect(counters.records).toBe(ackPeople.size);
    expect(counters.duplicateEmails).toBe(0);
    expect(counters.throttledRefreshes).toBe(0);
    expect(counters.refreshes.total).toBeLessThanOrEqual(REFRESH_LIMIT);
    // the faults really happened: every kind at least once, and Zoho served its injected failures
    expect(Object.keys(figures.faults).sort()).toEqual(Object.keys(FAULTS).sort());
    expect(counters.faultsServed).toBeGreaterThan(0);
    // and clients really saw the outages (a PostgREST restart is a 503 or a refused connection)
    expect(figures.retried).toBeGreaterThan(0);
  }, 900_000);
});
