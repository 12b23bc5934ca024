// `npm run bench -- drain` and `-- scaling`: pending leads drained into the simulator by real
// worker processes, beside the two ceilings measured in the same run: the simulator-bound ideal
// (what Zoho could take) and the database's own claim-and-record rate (what Supabase could hand out).
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDb, type SyncResult } from '@leadsync/db';
import { type IsolatedStack, localRedisPid, type Spawned, startIsolatedStack } from '@leadsync/local-stack';
import type pg from 'pg';
import { CpuMeter, perLead, procTimes, treeCpuMs } from './cpu.js';
import {
  anyLeftPending,
  engineEnv,
  type IdealFigures,
  measureIdeal,
  monitor,
  SIM,
  type SimSettings,
  seedPending,
  serviceCpuSources,
  startGatewayProcess,
  startSimProcess,
  startWorkers,
  stopAll,
  syncedSpan,
  triggerSync,
  waitDrained,
} from './rig.js';

type Figures = Record<string, unknown>;

const round2 = (x: number) => Number(x.toFixed(2));

function cpuFigures(cpuMs: Record<string, number>, leads: number) {
  const total = Object.values(cpuMs).reduce((a, b) => a + b, 0) / leads;
  return {
    cpu_ms_per_lead: perLead(cpuMs, leads),
    cpu_ms_per_lead_total: Number(total.toFixed(4)),
    cpu_bound_leads_per_s: total > 0 ? Math.round((cpus().length * 1000) / total) : 0,
    load_average: round2(loadavg()[0] ?? 0),
  };
}

/** A worker process's part in a drain: the leads it synced and the CPU it spent on each. */
export interface WorkerShare {
  leads: number;
  cpu_ms_per_lead: number;
}

/**
 * Each worker process's leads (from the attempt log, by worker id) beside its CPU, busiest first:
 * on a shared machine a lightly loaded process pays more a lead than a busy one, and this shows it.
 */
export function workerShares(
  leadsByWorker: ReadonlyMap<string, number>,
  procs: ReadonlyArray<{ workerId: string | null; cpuMs: number }>,
): WorkerShare[] {
  return procs
    .map(({ workerId, cpuMs }) => {
      const leads = (workerId && leadsByWorker.get(workerId)) || 0;
      return { leads, cpu_ms_per_lead: leads > 0 ? Number((cpuMs / leads).toFixed(3)) : 0 };
    })
    .sort((a, b) => b.leads - a.leads);
}

/** The worker id a worker process logged at start ("worker started", pino JSON), if it did. */
export function loggedWorkerId(output: string): string | null {
  return /"workerId":"([^"]+)"/.exec(output)?.[1] ?? null;
}

/** The median of each step over the workers' "batch synced" log lines (pino JSON with `ms`). */
export function batchSteps(output: string): Record<string, number> | null {
  const steps: Record<string, number[]> = {};
  for (const line of output.split('\n')) {
    if (!line.includes('batch synced')) continue;
    try {
      const ms = (JSON.parse(line) as { ms?: Record<string, number> }).ms ?? {};
      for (const [k, v] of Object.entries(ms)) if (typeof v === 'number') steps[k] = [...(steps[k] ?? []), v];
    } catch {
      // not a JSON line: ignored
    }
  }
  const names = Object.keys(steps);
  if (names.length === 0) return null;
  return Object.fromEntries(
    names.map((k) => {
      const sorted = steps[k]!.sort((a, b) => a - b);
      return [k, sorted[Math.floor(sorted.length / 2)]!];
    }),
  );
}

/**
 * Leads each worker process drains alone before the measured drain (`BENCH_WARMUP`, default
 * 5000; 0 measures cold processes). Workers that run for days have each run thousands of batches;
 * a process stops getting cheaper after some dozens of them: with 2 workers sharing one warm-up,
 * the workers' CPU per lead was 0.165 ms after 500 leads each, 0.141 after 3,000 and 0.128 after
 * 5,000 (one worker: 0.12-0.13 at all three), on 2 cores on 2026-12-02. The simulator's max in
 * flight still covers the warm-up drains.
 */
const warmupLeads = () => Number(process.env.BENCH_WARMUP ?? 5000);

/**
 * One worker drains `n` leads while the others are stopped (SIGSTOP), so that every worker of a
 * run is as warm as the rest: left to BullMQ, a drain's chains stay with the workers that started
 * them, and a worker that got a tenth of the warm-up would still be warming up when measured.
 * A stopped worker holds no job; at most its blocking connection takes a wake-up meant for the
 * others, who then find the job on their next poll (BullMQ's drainDelay, 5 s).
 */
async function warmAlone(
  env: Record<string, string>,
  client: pg.Client,
  procs: Spawned[],
  alone: Spawned,
  n: number,
  tag: string,
): Promise<void> {
  const others = procs.filter((p) => p !== alone);
  for (const p of others) p.child.kill('SIGSTOP');
  try {
    await seedPending(client, n, tag);
    await triggerSync(env);
    if (!(await waitDrained(client, drainTimeoutMs(n)))) throw new Error('a warm-up drain did not finish');
  } finally {
    for (const p of others) p.child.kill('SIGCONT');
  }
}

/** Generous: at 200 leads/s, or two minutes, whichever is longer. A drain past it is reported as timed out. */
const drainTimeoutMs = (n: number) => Math.max(120_000, (n / 200) * 1000);

export interface DrainRun {
  leads: number;
  workers: number;
  timed_out: boolean;
  /** The engine began before `leadsync sync` had queued its job (timed from the insert then). */
  started_before_trigger: boolean;
  seconds: number;
  leads_per_s: number;
  ms_per_lead: number;
  synced: number;
  failed: number;
  zoho_calls: number;
  calls_per_lead: number;
  max_in_flight: number;
  rejected_429: number;
  duplicates_in_zoho: number;
  /** Leads each worker process synced (from sync_attempts), largest first: who took part in the drain. */
  leads_by_worker: number[];
  /** The same processes with their CPU a lead (the `workers` figure below is all of them together). */
  workers_by_process: WorkerShare[];
  /**
   * Median ms per batch of its steps, read from the workers' "batch synced" log lines where the
   * engine logs them (claim, the Zoho call including any wait for a slot, record); null otherwise.
   */
  batch_ms_p50: Record<string, number> | null;
  /** Zoho calls in flight on average: calls × the simulator's latency / drain time. */
  mean_in_flight: number;
  cpu_ms_per_lead: Record<string, number>;
  /** CPU ms per lead of every process above together. */
  cpu_ms_per_lead_total: number;
  /**
   * What this machine's cores could drain if they did nothing else at that CPU per lead: a third
   * ceiling, and on a small shared machine often the lowest.
   */
  cpu_bound_leads_per_s: number;
  /** The 1-minute load average when the drain ended (other users of the machine show here). */
  load_average: number;
}

/**
 * One drain: a fresh database with `n` pending leads, `workers` worker processes (started and
 * idle before the leads go in), one `leadsync sync`, and the time from the drain being queued to
 * the last lead's synced_at.
 */
export async function drainRun(
  n: number,
  workers: number,
  extraEnv: Record<string, string> = {},
  simulated: Readonly<SimSettings> = SIM,
): Promise<DrainRun> {
  const stack = await startIsolatedStack('bench_drain');
  const gateway = await startGatewayProcess(stack.postgrest().url);
  const sim = await startSimProcess({ latencyMs: simulated.latencyMs });
  const mon = await monitor(stack.databaseUrl);
  const redisPid = await localRedisPid(stack.redisUrl);
  let procs: Awaited<ReturnType<typeof startWorkers>> = [];
  try {
    const env = engineEnv(stack, gateway.url, sim, await sim.control.issueRefreshToken(), extraEnv);
    procs = await startWorkers(env, workers);
    // Long-running workers are warm: a drain timed from a cold start also measures each process's
    // JIT warm-up and first connections, which long-running workers do not pay.
    const warm = warmupLeads();
    let before = { calls: 0, rejected: 0, duplicates: 0, outputAt: procs.map(() => 0) };
    if (warm > 0) {
      for (const [i, alone] of procs.entries()) await warmAlone(env, mon.client, procs, alone, warm, `warmup${i}`);
      await mon.client.query('delete from sync_attempts; delete from leads');
      await mon.client.query('vacuum analyze leads, sync_attempts');
      const c = await sim.control.counters();
      before = {
        calls: c.recordsPerCall.length,
        rejected: c.concurrencyRejections + c.creditRejections,
        duplicates: c.duplicateEmails,
        outputAt: procs.map((w) => w.output().length),
      };
    }
    await seedPending(mon.client, n);
    const seededAt = Date.now();
    const cpu = new CpuMeter(
      [
        { name: 'workers', pids: () => procs.map((w) => w.child.pid ?? 0) },
        ...serviceCpuSources({ gateway, stack, sim, redisPid }),
      ],
      mon.client,
    );
    await cpu.start();
    const workerCpuAtStart = procs.map((w) => treeCpuMs(w.child.pid ?? 0));
    // An engine may start draining on its own (a start-up or sweep job) while the CLI starts up:
    // then the drain is timed from the leads' insert instead of from the CLI's queued job.
    let triggered = false;
    const startedAlone = (async () => {
      while (!triggered) {
        if (await anyLeftPending(mon.client)) return true;
        await sleep(100);
      }
      return false;
    })();
    const queuedAt = await triggerSync(env, () => {
      triggered = true;
    }).finally(() => {
      triggered = true;
    });
    const startedBeforeTrigger = await startedAlone;
    const t0 = startedBeforeTrigger ? seededAt : queuedAt;
    const drained = await waitDrained(mon.client, drainTimeoutMs(n), () => cpu.sample());
    const cpuMs = await cpu.stop();
    const workerCpu = procs.map((w, i) => ({
      workerId: loggedWorkerId(w.output()),
      cpuMs: treeCpuMs(w.child.pid ?? 0) - (workerCpuAtStart[i] ?? 0),
    }));
    const span = await syncedSpan(mon.client);
    const counters = await sim.control.counters();
    // the attempt log names each lead's worker; an engine that logs otherwise leaves this empty
    const byWorker = await mon.client
      .query<{ worker: string; n: string }>(
        `select worker, count(*) as n from sync_attempts where outcome = 'synced' group by worker order by 2 desc`,
      )
      .catch(() => ({ rows: [] as Array<{ worker: string; n: string }> }));
    const seconds = drained ? (span.lastSyncedMs - t0) / 1000 : (Date.now() - t0) / 1000;
    const calls = counters.recordsPerCall.length - before.calls;
    return {
      leads: n,
      workers,
      timed_out: !drained,
      started_before_trigger: startedBeforeTrigger,
      seconds: Number(seconds.toFixed(2)),
      leads_per_s: Math.round(span.synced / seconds),
      ms_per_lead: Number(((seconds * 1000) / n).toFixed(4)),
      synced: span.synced,
      failed: span.failed,
      zoho_calls: calls,
      calls_per_lead: Number((calls / n).toFixed(4)),
      max_in_flight: counters.maxConcurrency,
      rejected_429: counters.concurrencyRejections + counters.creditRejections - before.rejected,
      duplicates_in_zoho: counters.duplicateEmails - before.duplicates,
      leads_by_worker: byWorker.rows.map((r) => Number(r.n)),
      workers_by_process: workerShares(new Map(byWorker.rows.map((r) => [r.worker, Number(r.n)])), workerCpu),
      batch_ms_p50: batchSteps(procs.map((w, i) => w.output().slice(before.outputAt[i])).join('\n')),
      mean_in_flight: round2((calls * simulated.latencyMs) / 1000 / seconds),
      ...cpuFigures(cpuMs, Math.max(1, span.synced)),
    };
  } finally {
    await stopAll(...procs, sim, gateway);
    await mon.client.end().catch(() => {});
    await stack.teardown();
  }
}

/**
 * The database's own ceiling: claim_pending_leads and record_sync_results through supabase-js,
 * the gateway and PostgREST (the workers' path), with the sync engine's batch size and as many
 * batches in flight as Zoho calls are allowed, and no Zoho between them.
 */
export async function dbClaimRecordRate(n: number, parallel: number = SIM.concurrency, batchSize = 100) {
  const stack: IsolatedStack = await startIsolatedStack('bench_dbrate');
  const gateway = await startGatewayProcess(stack.postgrest().url);
  const mon = await monitor(stack.databaseUrl);
  try {
    await seedPending(mon.client, n);
    const db = createDb({ url: gateway.url, serviceRoleKey: stack.serviceRoleKey });
    // warm the path (connections, PostgREST's schema cache) without claiming anything
    await db.stats.leads();
    const cpu = new CpuMeter(
      [
        { name: 'gateway', pids: () => [gateway.child.pid ?? 0] },
        { name: 'postgrest', pids: () => [stack.postgrest().child.pid ?? 0] },
      ],
      mon.client,
    );
    await cpu.start();
    const bench0 = procTimes(process.pid)?.self ?? 0;
    const started = performance.now();
    let recorded = 0;
    await Promise.all(
      Array.from({ length: parallel }, async (_, loop) => {
        const worker = `bench-db-${loop}`;
        for (;;) {
          const token = randomUUID();
          const leads = await db.leads.claimPending({ limit: batchSize, worker, leaseSeconds: 120, token });
          if (leads.length === 0) return;
          const results: SyncResult[] = leads.map((l) => ({
            id: l.id,
            version: l.content_version,
            outcome: 'synced',
            zoho_id: `sim-${l.id.slice(0, 18)}`,
            zoho_action: 'insert',
          }));
          recorded += await db.leads.recordResults({ token, worker, batchId: randomUUID(), results });
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpuMs = await cpu.stop();
    cpuMs.bench_client = (procTimes(process.pid)?.self ?? 0) - bench0;
    const span = await syncedSpan(mon.client);
    return {
      leads: n,
      parallel,
      batch_size: batchSize,
      seconds: Number(seconds.toFixed(2)),
      leads_per_s: Math.round(span.synced / seconds),
      recorded,
      ...cpuFigures(cpuMs, Math.max(1, span.synced)),
    };
  } finally {
    await stopAll(gateway);
    await mon.client.end().catch(() => {});
    await stack.teardown();
  }
}

/**
 * Which ceiling bound this run: the lowest of the simulator-bound ideal, the database's rate and
 * what the machine's cores could do at the run's CPU per lead; when the drain got nowhere near
 * it, the engine itself (waiting between calls, not computing).
 */
export function boundHeld(leadsPerS: number, ceilings: { ideal: number; db: number; cpu: number }): string {
  const named: Array<[number, string]> = [
    [ceilings.ideal, 'the simulator (Zoho)'],
    [ceilings.db, 'the database'],
    [ceilings.cpu, "the machine's CPU"],
  ];
  const [ceiling, name] = named.filter(([c]) => c > 0).sort((a, b) => a[0] - b[0])[0] ?? [0, 'none measured'];
  const share = ceiling > 0 ? leadsPerS / ceiling : 0;
  if (share >= 0.8) return `${name}: ${round2(share)} of its ${ceiling} leads/s`;
  return `neither: ${round2(share)} of the lowest ceiling (${name}, ${ceiling} leads/s), so the engine's own pacing held`;
}

/** The issue's target for one worker: half the ideal, or 0.8 of the database's rate where that is lower than the ideal. */
export function oneWorkerTarget(ideal: number, dbRate: number): number {
  return Math.round(dbRate < ideal ? Math.min(0.5 * ideal, 0.8 * dbRate) : 0.5 * ideal);
}

/**
 * The run with the median leads/s (of an even count, the lower middle), with every run's figure
 * beside it: on a small machine shared with other work one drain says little, and a single slow
 * or fast outlier should not be the figure.
 */
export function medianOf<T extends { leads_per_s: number }>(all: T[]): T & { leads_per_s_each: number[] } {
  const sorted = [...all].sort((a, b) => a.leads_per_s - b.leads_per_s);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, leads_per_s_each: all.map((r) => r.leads_per_s) };
}

/** Round by round, each run's leads/s over the baseline run of the same round (none without a baseline). */
export function ratiosByRound(
  runs: Array<{ leads_per_s: number }>,
  baseline: Array<{ leads_per_s: number }>,
): number[] {
  return runs.flatMap((r, i) => {
    const base = baseline[i]?.leads_per_s;
    return base ? [round2(r.leads_per_s / base)] : [];
  });
}

/** medianOf `times` runs of `run`, one after another. */
export async function median<T extends { leads_per_s: number }>(
  times: number,
  run: () => Promise<T>,
): Promise<T & { leads_per_s_each: number[] }> {
  const all: T[] = [];
  for (let i = 0; i < times; i++) all.push(await run());
  return medianOf(all);
}

/** 10,000 pending leads (or `leads`) with 1, 2 and 4 worker processes, beside both ceilings; each the median of `repeat` runs. */
export async function benchDrainWorkers(
  opts: { leads?: number; workers?: number[]; repeat?: number; dbParallel?: number; latencyMs?: number } = {},
): Promise<Figures & { ideal: IdealFigures }> {
  // --latency-ms: the same comparison with Zoho slower than the 100 ms the targets are set at
  const sim = { ...SIM, latencyMs: opts.latencyMs ?? SIM.latencyMs };
  const n = opts.leads ?? 10_000;
  const counts = opts.workers ?? [1, 2, 4];
  const repeat = opts.repeat ?? 3;
  console.error('bench: drain: the simulator-bound ideal…');
  const probes = [await measureIdeal(4, (pid) => treeCpuMs(pid), sim)];
  console.error(`bench: drain: the database's claim-and-record rate (${n} leads, median of ${repeat})…`);
  const db = await median(repeat, () => dbClaimRecordRate(n, opts.dbParallel ?? SIM.concurrency));
  // Rounds of every worker count in turn (1, 2, 4, 1, 2, 4, …) rather than all runs of one count
  // and then the next: whatever else the machine does over the minutes of the section then falls
  // on every count alike, and each round pairs the counts under the same conditions.
  const byCount = new Map<number, DrainRun[]>(counts.map((w) => [w, []]));
  for (let round = 1; round <= repeat; round++) {
    for (const w of counts) {
      console.error(
        `bench: drain: round ${round} of ${repeat}, ${n} leads, ${w} worker process${w === 1 ? '' : 'es'}…`,
      );
      byCount.get(w)!.push(await drainRun(n, w, {}, sim));
    }
  }
  const runs = counts.map((w) => medianOf(byCount.get(w)!));
  const single = byCount.get(1) ?? [];
  console.error('bench: drain: the simulator-bound ideal again…');
  probes.push(await measureIdeal(4, (pid) => treeCpuMs(pid), sim));
  // A ceiling: the better of the probes before and after the drains (a burst of other work on a
  // shared machine can only make a probe slower than the simulator really is).
  const ideal = {
    ...[...probes].sort((a, b) => b.leads_per_s - a.leads_per_s)[0]!,
    leads_per_s_each: probes.map((p) => p.leads_per_s),
  };
  const one = runs.find((r) => r.workers === 1) ?? runs[0]!;
  const target = oneWorkerTarget(ideal.leads_per_s, db.leads_per_s);
  return {
    leads: n,
    repeat,
    sync_concurrency: SIM.concurrency,
    cores: cpus().length,
    simulator: `${sim.latencyMs} ms a call, ${sim.concurrency} calls at once, ${sim.recordsPerCall} records a call`,
    ideal,
    db_claim_and_record: db,
    runs: runs.map((r) => ({
      ...r,
      ratio_to_ideal: round2(r.leads_per_s / ideal.leads_per_s),
      ratio_to_db_rate: round2(r.leads_per_s / db.leads_per_s),
      ratio_to_one_worker: round2(r.leads_per_s / one.leads_per_s),
      ratio_to_one_worker_by_round: ratiosByRound(byCount.get(r.workers)!, single),
      bound: boundHeld(r.leads_per_s, { ideal: ideal.leads_per_s, db: db.leads_per_s, cpu: r.cpu_bound_leads_per_s }),
    })),
    targets: {
      one_worker_leads_per_s: target,
      one_worker_met: one.leads_per_s >= target,
      more_workers_at_least_one_worker: runs
        .filter((r) => r.workers > 1)
        .every((r) => r.leads_per_s >= one.leads_per_s),
      calls_per_lead_max: 0.011,
      calls_per_lead_met: runs.every((r) => r.calls_per_lead <= 0.011),
      max_in_flight_at_most: SIM.concurrency,
      max_in_flight_met: runs.every((r) => r.max_in_flight <= SIM.concurrency),
    },
  };
}

/**
 * Drain time against backlog (one worker): linear means the time per lead stays flat. 100,000 is
 * left out with `--sizes 1000,10000` (or BENCH_LARGE=0).
 */
export async function benchScaling(sizes: number[], repeat = 1): Promise<Figures> {
  const runs: DrainRun[] = [];
  for (const n of sizes) {
    console.error(`bench: scaling: ${n} leads, one worker${repeat > 1 ? `, median of ${repeat}` : ''}…`);
    runs.push(await median(repeat, () => drainRun(n, 1)));
  }
  const first = runs[0]!;
  return {
    cores: cpus().length,
    runs: runs.map((r) => ({
      leads: r.leads,
      seconds: r.seconds,
      leads_per_s: r.leads_per_s,
      ms_per_lead: r.ms_per_lead,
      timed_out: r.timed_out,
      calls_per_lead: r.calls_per_lead,
      // 1 is linear; above 1, each lead of a bigger backlog costs more than one of the smallest
      ms_per_lead_vs_smallest: round2(r.ms_per_lead / first.ms_per_lead),
      cpu_ms_per_lead_total: r.cpu_ms_per_lead_total,
      cpu_ms_per_lead: r.cpu_ms_per_lead,
      batch_ms_p50: r.batch_ms_p50,
      load_average: r.load_average,
    })),
    no_worse_than_linear: runs.every((r) => !r.timed_out && r.ms_per_lead <= first.ms_per_lead * 1.1),
    note: 'within 10 % of the smallest run per lead counts as linear (a shared machine is noisy)',
  };
}
