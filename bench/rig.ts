// What the engine benchmarks (drain, scaling, latency) set up, using only what an operator has:
// processes started from the repository's entry points, their environment variables, the
// simulator's command line and control API, the CLI's `sync`, HTTP intake and the database's rows.
// Nothing here reaches into the engine's queues or job names, so the same sections measure
// whatever sync engine the branch holds.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  freePort,
  type IsolatedStack,
  type Spawned,
  spawnEntry,
  spawnServing,
  spawnWorkerProcess,
  stackEnv,
  waitFor,
} from '@leadsync/local-stack';
import { SimControlClient } from '@leadsync/zoho-sim';
import pg from 'pg';
import { Pool } from 'undici';
import type { CpuSource } from './cpu.js';

/** The simulator the issue's figures are stated against: 100 ms a call, 10 calls at once, 100 records a call. */
export interface SimSettings {
  latencyMs: number;
  concurrency: number;
  recordsPerCall: number;
}
export const SIM: Readonly<SimSettings> = { latencyMs: 100, concurrency: 10, recordsPerCall: 100 };
export const idealFormula = (sim: Readonly<SimSettings> = SIM) =>
  (sim.concurrency * sim.recordsPerCall * 1000) / sim.latencyMs;

export interface SimProcess extends Spawned {
  url: string;
  control: SimControlClient;
}

/**
 * The simulator in a process of its own (its CPU is then its own). Credits are set out of reach:
 * a drain of 100,000 leads costs 10,000 of Zoho's default 50,000, and an engine that keeps a
 * credit reserve would slow down for a reason that is not what this measures.
 */
export async function startSimProcess(
  opts: { latencyMs?: number; jitterMs?: number; concurrency?: number } = {},
): Promise<SimProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    ...['--port', String(port), '--latency-ms', String(opts.latencyMs ?? SIM.latencyMs)],
    ...['--jitter-ms', String(opts.jitterMs ?? 0), '--concurrency', String(opts.concurrency ?? SIM.concurrency)],
    ...['--daily-credits', '100000000'],
  ];
  const proc = await spawnServing('tooling/zoho-sim/src/bin.ts', {}, `${url}/__sim/health`, 'the simulator', {
    args,
    output: 'stderr',
  });
  return { ...proc, url, control: new SimControlClient(url) };
}

/** The /rest/v1 gateway (Supabase's API gateway stand-in) in a process of its own, off the bench's event loop. */
export async function startGatewayProcess(postgrestUrl: string): Promise<Spawned & { url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const gateway = await spawnServing('tooling/local-stack/src/gateway-main.ts', {}, `${url}/`, 'the gateway', {
    args: [postgrestUrl, String(port)],
    output: 'stderr',
  });
  return { ...gateway, url };
}

export interface IdealFigures {
  leads_per_s: number;
  calls: number;
  rejected_429: number;
  seconds: number;
  max_in_flight: number;
  formula_leads_per_s: number;
  simulator_cpu_ms_per_lead: number | null;
}

/**
 * The simulator-bound ideal on this machine: `concurrency` loops, each sending 100-record upserts
 * straight to a fresh simulator back to back for `seconds`. What the sync engine could reach if
 * it cost nothing.
 */
export async function measureIdeal(
  seconds = 4,
  cpuOf?: (pid: number) => number,
  sim: Readonly<SimSettings> = SIM,
): Promise<IdealFigures> {
  const probe = await startSimProcess({ latencyMs: sim.latencyMs, concurrency: sim.concurrency });
  const pool = new Pool(probe.url, { connections: sim.concurrency });
  try {
    const { accessToken } = await probe.control.issueAccessToken();
    const headers = { authorization: `Zoho-oauthtoken ${accessToken}`, 'content-type': 'application/json' };
    let ok = 0;
    let rejected = 0;
    const upsert = async () => {
      const data = Array.from({ length: sim.recordsPerCall }, () => {
        const id = randomUUID();
        return { Last_Name: `Ideal ${id.slice(0, 8)}`, Email: `ideal-${id}@example.com`, Company: 'Bench Co' };
      });
      const res = await pool.request({
        path: '/crm/v8/Leads/upsert',
        method: 'POST',
        headers,
        body: JSON.stringify({ data, duplicate_check_fields: ['Email'] }),
      });
      await res.body.dump();
      if (res.statusCode === 200) ok += 1;
      else rejected += 1;
    };
    await Promise.all(Array.from({ length: sim.concurrency }, upsert)); // warm up: connections, JIT
    ok = 0;
    rejected = 0;
    const cpu0 = probe.child.pid && cpuOf ? cpuOf(probe.child.pid) : null;
    const started = performance.now();
    const until = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: sim.concurrency }, async () => {
        while (performance.now() < until) await upsert();
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const cpu1 = probe.child.pid && cpuOf ? cpuOf(probe.child.pid) : null;
    const leads = ok * sim.recordsPerCall;
    return {
      leads_per_s: Math.round(leads / elapsed),
      calls: ok,
      rejected_429: rejected,
      seconds: Number(elapsed.toFixed(2)),
      max_in_flight: (await probe.control.counters()).maxConcurrency,
      formula_leads_per_s: idealFormula(sim),
      simulator_cpu_ms_per_lead: cpu0 !== null && cpu1 !== null ? Number(((cpu1 - cpu0) / leads).toFixed(4)) : null,
    };
  } finally {
    await pool.close();
    await probe.stop();
  }
}

/**
 * Pending leads straight into the table, one statement (not through intake: that is another
 * figure), then ANALYZE: a backlog that size has been seen by autovacuum by the time it is
 * drained in real life, and without statistics the planner takes a freshly filled table for an
 * empty one (BENCH_ANALYZE=0 leaves them out, to see that case).
 */
export async function seedPending(client: pg.Client, n: number, tag = randomUUID().slice(0, 8)): Promise<void> {
  await client.query(
    `insert into leads (source, name, email, company)
     select 'quote_form', 'Drain Person ' || i, 'drain-${tag}-' || i || '@example.com', 'Bench Co'
     from generate_series(1, $1) i`,
    [n],
  );
  if (process.env.BENCH_ANALYZE !== '0') await client.query('analyze leads');
}

/** One connection for the bench's own reads; its backend pid is left out of the Postgres CPU. */
export async function monitor(databaseUrl: string): Promise<{ client: pg.Client; pid: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  return { client, pid: rows[0]!.pid };
}

/** Leads still on their way to Zoho (any status but a final one). */
export async function leadsInFlight(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `select count(*) as n from leads where status not in ('synced', 'failed', 'spam')`,
  );
  return Number(rows[0]!.n);
}

/** Whether any lead has left pending (the engine has started on them). */
export async function anyLeftPending(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ any: boolean }>(
    `select exists (select 1 from leads where status <> 'pending') as any`,
  );
  return rows[0]!.any;
}

export async function syncedSpan(client: pg.Client): Promise<{ synced: number; failed: number; lastSyncedMs: number }> {
  const { rows } = await client.query<{ synced: string; failed: string; last: string | null }>(
    `select count(*) filter (where status = 'synced') as synced, count(*) filter (where status = 'failed') as failed,
            extract(epoch from max(synced_at)) * 1000 as last from leads`,
  );
  return { synced: Number(rows[0]!.synced), failed: Number(rows[0]!.failed), lastSyncedMs: Number(rows[0]!.last) };
}

/**
 * The environment every process of one run shares (the token encryption key must be the same in
 * all of them). SYNC_SWEEP_EVERY_MS=0: no minute sweep starting a second drain mid-measurement.
 */
export function engineEnv(
  stack: IsolatedStack,
  gatewayUrl: string,
  sim: SimProcess,
  refreshToken: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return stackEnv(
    stack,
    { accountsUrl: sim.url, apiDomain: sim.url },
    {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      INTAKE_RATE_LIMIT: '0',
      SUPABASE_URL: gatewayUrl,
      ZOHO_REFRESH_TOKEN: refreshToken,
      SYNC_CONCURRENCY: String(SIM.concurrency),
      SYNC_SWEEP_EVERY_MS: '0',
      ...extra,
    },
  );
}

/**
 * Worker processes, resolved once each has said it started (the info-level "worker started" line;
 * after 60 s without it the run goes on and says so).
 */
export async function startWorkers(env: Record<string, string>, count: number): Promise<Spawned[]> {
  const workers = Array.from({ length: count }, (_, i) =>
    spawnWorkerProcess({ ...env, WORKER_ID: `bench-worker-${i + 1}-${randomUUID().slice(0, 4)}` }, { output: 'keep' }),
  );
  try {
    await waitFor(async () => workers.every((w) => w.output().includes('worker started')), 'workers to start', 60_000);
  } catch {
    console.error('bench: a worker did not log "worker started" within 60 s; measuring anyway');
  }
  for (const w of workers) {
    if (w.child.exitCode !== null) throw new Error(`a worker exited at start:\n${w.output().slice(-2000)}`);
  }
  return workers;
}

/**
 * `leadsync sync` (what an operator types for "sync now"); resolves with the wall-clock time its
 * drain was queued: the CLI's first line of output (it prints once the job is queued), so the CLI's
 * own start-up is not counted as drain time.
 */
export async function triggerSync(env: Record<string, string>, onQueued: () => void = () => {}): Promise<number> {
  const cli = spawnEntry('apps/cli/src/cli.ts', env, { args: ['sync'], output: 'keep' });
  let queuedAt: number | undefined;
  cli.child.stdout?.once('data', () => {
    queuedAt ??= Date.now();
    onQueued();
  });
  const code = await new Promise<number | null>((done) => cli.child.once('exit', done));
  if (code !== 0) throw new Error(`leadsync sync exited ${code}:\n${cli.output()}`);
  return queuedAt ?? Date.now();
}

/** Waits (polling the table) until no lead is on its way, sampling on the way; false on timeout. */
export async function waitDrained(
  client: pg.Client,
  timeoutMs: number,
  onPoll: () => Promise<void> = async () => {},
): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    await onPoll();
    if ((await leadsInFlight(client)) === 0) return true;
    await sleep(200);
  }
  return false;
}

/** Stops everything given, in order, each once, ignoring what already stopped. */
export async function stopAll(...procs: Array<{ stop(): Promise<void> } | undefined>): Promise<void> {
  for (const p of procs) await p?.stop().catch(() => {});
}

/**
 * The CPU sources around the engine that every sync bench counts beside its own processes: the
 * gateway, PostgREST, the simulator, and the machine's Redis when it is local (found with
 * localRedisPid; shared, so nothing else should use it during a bench).
 */
export function serviceCpuSources(around: {
  gateway: Spawned;
  stack: IsolatedStack;
  sim: Spawned;
  redisPid: number | null;
}): CpuSource[] {
  const { gateway, stack, sim, redisPid } = around;
  return [
    { name: 'gateway', pids: () => [gateway.child.pid ?? 0] },
    { name: 'postgrest', pids: () => [stack.postgrest().child.pid ?? 0] },
    { name: 'simulator', pids: () => [sim.child.pid ?? 0] },
    { name: 'redis', pids: () => (redisPid ? [redisPid] : []) },
  ];
}
