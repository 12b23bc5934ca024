// `npm run bench`: leadsync's speed figures, each beside a baseline measured in the same run on
// the same machine. Nothing here asserts; it measures and prints (and writes bench/results/).
//   npm run bench                 all
//   npm run bench -- <section>    one section: intake | drain | latency | bundle | scaling | footprint
//   npm run bench -- drain   [--leads 10000] [--workers 1,2,4] [--repeat 3] [--db-parallel 10] [--latency-ms 100]
//                                 drain with 1, 2, 4 worker processes; the DB rate with that many batches in flight
//   npm run bench -- scaling [--sizes 1000,10000,100000]          drain time vs backlog (BENCH_LARGE=0: no 100,000)
//   npm run bench -- latency [--rate 50] [--seconds 20] [--backlog 10000]
//   npm run bench -- footprint [--node <path>] [--starts 5] [--rate 50] [--seconds 15]
//                                 spawn-to-ready and RSS of the API and a worker on that node (BENCH_NODE too)
// The engine sections (drain, scaling, latency) use real processes and public knobs only: see bench/rig.ts.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  dropTestTemplate,
  freePort,
  type IsolatedStack,
  prepareTestTemplate,
  REPO_ROOT,
  type SpawnedApi,
  spawnApi,
  stackEnv,
  startIsolatedStack,
  tsxEntry,
  waitFor,
  withClient,
} from '@leadsync/local-stack';
import { buildEmbed, GZIP_BUDGET_BYTES, overBudget } from '@leadsync/web';
import { startZohoSim, type ZohoSim } from '@leadsync/zoho-sim';
import autocannon from 'autocannon';
import { benchDrainWorkers, benchScaling, type WorkerShare } from './drain.js';
import { benchIntakeToZoho } from './latency.js';
import { paced } from './paced.js';
import { startGatewayProcess } from './rig.js';

type Figures = Record<string, unknown>;
const results: Record<string, Figures> = {};
const { positionals, values: flags } = parseArgs({
  allowPositionals: true,
  options: {
    leads: { type: 'string' },
    workers: { type: 'string' },
    sizes: { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    backlog: { type: 'string' },
    repeat: { type: 'string' },
    'db-parallel': { type: 'string' },
    'latency-ms': { type: 'string' },
    node: { type: 'string' },
    starts: { type: 'string' },
  },
});
const only = positionals[0];
const numbers = (raw: string | undefined) => raw?.split(',').map((x) => Number(x.trim()));
const number = (raw: string | undefined) => (raw === undefined ? undefined : Number(raw));

const quoteBody = () =>
  JSON.stringify({
    name: 'Bench Person',
    email: `bench-${randomUUID()}@example.com`,
    phone: '+1 555 0100',
    company: 'Bench Co',
    message: 'A quote for the benchmark, please.',
  });

async function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((done, fail) => {
    autocannon(opts, (err, result) => (err ? fail(err) : done(result)));
  });
}

function summary(r: autocannon.Result) {
  return {
    requests_per_s: Math.round(r.requests.average),
    accepted: r['2xx'],
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    non_2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/** A memory figure of a process's /proc status (VmHWM: peak so far, VmRSS: now), in MB; null where /proc is not there. */
function memoryMb(pid: number | undefined, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): number | null {
  if (pid === undefined) return null;
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}
const peakRssMb = (pid: number | undefined) => memoryMb(pid, 'VmHWM');
const rssMb = (pid: number | undefined) => memoryMb(pid, 'VmRSS');

function baseEnv(
  stack: IsolatedStack,
  sim: ZohoSim | null,
  extra: Record<string, string> = {},
): Record<string, string> {
  return stackEnv(stack, sim, { NODE_ENV: 'production', LOG_LEVEL: 'warn', INTAKE_RATE_LIMIT: '0', ...extra });
}

const startApi = (env: Record<string, string>): Promise<SpawnedApi> => spawnApi(env, { output: 'stderr' });

/** Intake against a direct PostgREST insert of the same row: a steady 200 req/s, then flat out. */
async function benchIntake() {
  const stack = await startIsolatedStack('bench_intake');
  const gateway = await startGatewayProcess(stack.postgrest().url);
  const api = await startApi(baseEnv(stack, null, { SYNC_MODE: 'immediate', SUPABASE_URL: gateway.url }));
  try {
    const insertVia = (base: string) => ({
      url: `${base}/leads`,
      method: 'POST' as const,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${stack.serviceRoleKey}`,
        prefer: 'return=minimal',
      },
    });
    // the irreducible write: the same row inserted straight into PostgREST, and through the
    // /rest/v1 gateway (the Supabase API path the intake itself uses)
    const direct = insertVia(stack.postgrest().url);
    const viaGateway = insertVia(`${gateway.url}/rest/v1`);
    const directBody = () =>
      JSON.stringify({ source: 'quote_form', ...JSON.parse(quoteBody()), raw_payload: JSON.parse(quoteBody()) });
    const intake = {
      url: `${api.url}/api/store-lead`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
    };
    const setup = (body: () => string) => [{ setupRequest: (req: autocannon.Request) => ({ ...req, body: body() }) }];

    // warm every path (JIT, connection pools) before measuring
    await cannon({ ...intake, requests: setup(quoteBody), connections: 10, duration: 3 });
    await cannon({ ...direct, requests: setup(directBody), connections: 10, duration: 3 });
    await cannon({ ...viaGateway, requests: setup(directBody), connections: 10, duration: 2 });

    const flat = { connections: 20, duration: 10 };
    const run = async (target: typeof intake, body: () => string) => ({
      // a steady 200 req/s, open loop (see paced.ts for why not autocannon's overallRate)
      at_200_rps: await paced({ ...target, body, rate: 200, seconds: 15, connections: 20 }),
      max: summary(await cannon({ ...target, ...flat, requests: setup(body) })),
    });
    const countLeads = async () =>
      Number(
        (await withClient(stack.databaseUrl, (c) => c.query<{ n: string }>('select count(*) as n from leads'))).rows[0]!
          .n,
      );
    const before = await countLeads();
    const intakeRun = await run(intake, quoteBody);
    // every 202 must be a stored lead (group commit answers each request for its own row)
    const stored = (await countLeads()) - before;
    const accepted = intakeRun.at_200_rps.accepted + intakeRun.max.accepted;
    const directRun = await run(direct, directBody);
    const gatewayRun = await run(viaGateway, directBody);
    results.intake = {
      intake: intakeRun,
      direct_postgrest: directRun,
      postgrest_via_gateway: gatewayRun,
      intake_accepted: accepted,
      intake_stored: stored,
      throughput_ratio_to_direct: Number((intakeRun.max.requests_per_s / directRun.max.requests_per_s).toFixed(2)),
      throughput_ratio_to_gateway: Number((intakeRun.max.requests_per_s / gatewayRun.max.requests_per_s).toFixed(2)),
      api_peak_rss_mb: peakRssMb(api.child.pid),
      targets: 'p99 < 50 ms at 200 req/s; throughput ratio >= 0.6',
    };
  } finally {
    await api.stop();
    await gateway.stop();
    await stack.teardown();
  }
}

/** SIGTERM, then wait for the exit (children here are plain ChildProcesses, not Spawned). */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

/**
 * How each process is started: the compiled output with plain node (production), or tsx
 * (development). Compiled runs three ways on a Node with a compile cache (22.1+): without one
 * (NODE_DISABLE_COMPILE_CACHE), cold (an empty cache folder each start: a container without
 * the image's cache, or the first start after an upgrade) and warm (the cache filled first, as
 * the Dockerfile fills it). On Node 20 there is no cache and compiled runs once.
 */
const ENTRIES = {
  api: { compiled: ['apps/api/dist/server.js'], tsx: tsxEntry('apps/api/src/server.ts') },
  worker: { compiled: ['apps/worker/dist/worker.js'], tsx: tsxEntry('apps/worker/src/worker.ts') },
} as const;
/** What the Dockerfile's compile-cache.js line compiles into the image's cache: keep the two alike. */
const CACHE_MODULES = [
  'apps/api/dist/main.js',
  'apps/worker/dist/main.js',
  'apps/cli/dist/main.js',
  'packages/db/dist/migrate-main.js',
];

/** The node the measured processes run on: --node <path> or BENCH_NODE, else the bench's own. */
const benchNode = () => flags.node ?? process.env.BENCH_NODE ?? process.execPath;

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
/** The median with the spread it came from: on a shared machine one start says little. */
const spread = (xs: number[]) => ({
  median: Math.round(median(xs)),
  min: Math.round(Math.min(...xs)),
  max: Math.round(Math.max(...xs)),
});

/**
 * The footprint of the API and a worker, compiled against tsx: time from spawn to ready (the
 * API's /readyz answering 200; the worker's "worker started" line) and resident memory idle
 * (3 s after ready), each the median of `starts` starts (with min and max); then one of each
 * under 50 leads/s through intake for 15 s, synced by that worker, for RSS under load.
 */
async function benchFootprint(rate = 50, seconds = 15, starts = 5) {
  execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const node = benchNode();
  const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const hasCache =
    execFileSync(node, ['-p', "typeof require('node:module').enableCompileCache === 'function'"], {
      encoding: 'utf8',
    }).trim() === 'true';
  const cacheRoot = mkdtempSync(join(tmpdir(), 'leadsync-bench-cache-'));
  const modes: Record<string, { entry: 'compiled' | 'tsx'; env: () => Record<string, string> }> = hasCache
    ? {
        compiled_no_cache: { entry: 'compiled', env: () => ({ NODE_DISABLE_COMPILE_CACHE: '1' }) },
        compiled_cold_cache: {
          entry: 'compiled',
          env: () => ({ NODE_COMPILE_CACHE: mkdtempSync(join(cacheRoot, 'cold-')) }),
        },
        compiled_warm_cache: { entry: 'compiled', env: () => ({ NODE_COMPILE_CACHE: join(cacheRoot, 'warm') }) },
        tsx: { entry: 'tsx', env: () => ({}) },
      }
    : { compiled: { entry: 'compiled', env: () => ({}) }, tsx: { entry: 'tsx', env: () => ({}) } };
  if (hasCache) {
    execFileSync(node, ['packages/config/dist/compile-cache.js', ...CACHE_MODULES], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, NODE_COMPILE_CACHE: join(cacheRoot, 'warm') },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const stack = await startIsolatedStack('bench_footprint');
  const sim = await startZohoSim({ latencyMs: 150, jitterMs: 100 });
  const figures: Figures = {};
  try {
    // One environment for every mode: the token the first worker stores stays decryptable.
    const env = {
      PATH: process.env.PATH,
      ...baseEnv(stack, sim, { LOG_LEVEL: 'info', ZOHO_REFRESH_TOKEN: sim.control.issueRefreshToken() }),
    };
    for (const [mode, { entry, env: modeEnv }] of Object.entries(modes)) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const children: ChildProcess[] = [];
      const startApi = async () => {
        const t0 = performance.now();
        // The API's request log is not read here (warn); an unread pipe would stall it once full.
        const child = spawn(node, ENTRIES.api[entry], {
          cwd: REPO_ROOT,
          env: { ...env, ...modeEnv(), PORT: String(port), LOG_LEVEL: 'warn' },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        children.push(child);
        await waitFor(async () => (await fetch(`${url}/readyz`)).ok, 'the API to be ready', 60_000);
        return { child, ms: performance.now() - t0 };
      };
      const startWorkerProcess = async () => {
        const t0 = performance.now();
        const child = spawn(node, ENTRIES.worker[entry], {
          cwd: REPO_ROOT,
          env: { ...env, ...modeEnv() },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        children.push(child);
        let started = false;
        child.stdout.on('data', (d: Buffer) => {
          if (d.includes('worker started')) started ||= true;
        });
        await waitFor(async () => started, 'the worker to start', 60_000);
        return { child, ms: performance.now() - t0 };
      };
      /** Ready time and idle RSS of `starts` starts, one after another. */
      const startsOf = async (start: () => Promise<{ child: ChildProcess; ms: number }>) => {
        const ready: number[] = [];
        const idle: number[] = [];
        for (let i = 0; i < starts; i++) {
          const run = await start();
          ready.push(run.ms);
          await sleep(3000);
          idle.push(rssMb(run.child.pid) ?? Number.NaN);
          await stopChild(run.child);
        }
        return { ready_ms: spread(ready), idle_rss_mb: spread(idle) };
      };
      try {
        const apiStarts = await startsOf(startApi);
        const workerStarts = await startsOf(startWorkerProcess);
        const api = (await startApi()).child;
        const worker = (await startWorkerProcess()).child;
        await sleep(3000);
        await paced({
          url: `${url}/api/store-lead`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: quoteBody,
          rate,
          seconds,
          connections: 10,
        });
        figures[mode] = {
          api: { ...apiStarts, rss_at_50_per_s_mb: rssMb(api.pid), peak_rss_mb: peakRssMb(api.pid) },
          worker: { ...workerStarts, rss_at_50_per_s_mb: rssMb(worker.pid), peak_rss_mb: peakRssMb(worker.pid) },
        };
      } finally {
        for (const child of children) await stopChild(child);
      }
    }
  } finally {
    await sim.close();
    await stack.teardown(); // removes the stack's Redis keys too
    rmSync(cacheRoot, { recursive: true, force: true });
  }
  results.footprint = {
    ...figures,
    node: nodeVersion,
    starts,
    load: `${rate} leads/s for ${seconds} s`,
    target: 'compiled API: ready ≤ 1000 ms, idle RSS ≤ 120 MB',
  };
}

/** "3900 (0.16 ms CPU a lead)/1100 (0.25)": each worker process's leads and CPU a lead, busiest first. */
function workersText(run: { leads_by_worker: number[]; workers_by_process?: WorkerShare[] }): string {
  const shares = run.workers_by_process ?? [];
  if (shares.length === 0) return run.leads_by_worker.join('/');
  return shares.map((w, i) => `${w.leads} (${w.cpu_ms_per_lead}${i === 0 ? ' ms CPU a lead' : ''})`).join('/');
}

/** One markdown table of the headline figures of whatever sections ran. */
function summaryTable(): string {
  // biome-ignore lint/suspicious/noExplicitAny: figures are read by name for the table
  const r = results as Record<string, any>;
  const rows: Array<[string, string, string]> = [];
  if (r.intake) {
    rows.push([
      'intake throughput (flat out)',
      `${r.intake.intake.max.requests_per_s} req/s, p99 ${r.intake.intake.max.p99_ms} ms`,
      `direct PostgREST insert ${r.intake.direct_postgrest.max.requests_per_s} req/s (ratio ${r.intake.throughput_ratio_to_direct})`,
    ]);
    rows.push([
      'intake at 200 req/s',
      `p50 ${r.intake.intake.at_200_rps.p50_ms} ms, p99 ${r.intake.intake.at_200_rps.p99_ms} ms`,
      `direct insert p99 ${r.intake.direct_postgrest.at_200_rps.p99_ms} ms; target p99 < 50 ms`,
    ]);
    rows.push([
      'intake: rows stored for its 202s',
      `${r.intake.intake_stored} rows, ${r.intake.intake_accepted} × 202`,
      'rows ≥ 202s (requests still out when autocannon stops are stored, not counted)',
    ]);
  }
  const cpu = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  if (r.drain) {
    const d = r.drain;
    rows.push([
      'simulator-bound ideal (measured)',
      `${d.ideal.leads_per_s} leads/s (best of ${d.ideal.leads_per_s_each.join(', ')}: before and after the drains; ${d.ideal.rejected_429} × 429, max ${d.ideal.max_in_flight} in flight)`,
      `formula ${d.ideal.formula_leads_per_s} leads/s: ${d.simulator}`,
    ]);
    rows.push([
      'database claim-and-record rate',
      `${d.db_claim_and_record.leads_per_s} leads/s (of ${d.db_claim_and_record.leads_per_s_each.join(', ')}); CPU ms/lead ${d.db_claim_and_record.cpu_ms_per_lead_total} (${cpu(d.db_claim_and_record.cpu_ms_per_lead)})`,
      `claim_pending_leads + record_sync_results via PostgREST, ${d.db_claim_and_record.parallel} × ${d.db_claim_and_record.batch_size}, no Zoho`,
    ]);
    for (const run of d.runs) {
      rows.push([
        `drain of ${run.leads}, ${run.workers} worker${run.workers === 1 ? '' : 's'} (SYNC_CONCURRENCY=${d.sync_concurrency})`,
        `${run.leads_per_s} leads/s (${run.seconds} s; of ${run.leads_per_s_each.join(', ')}): ${run.ratio_to_ideal} of ideal, ${run.ratio_to_db_rate} of DB rate, ×${run.ratio_to_one_worker} of 1 worker${run.workers > 1 && run.ratio_to_one_worker_by_round.length > 0 ? ` (round by round ×${run.ratio_to_one_worker_by_round.join(', ×')})` : ''}, leads by worker ${workersText(run)}; ${run.calls_per_lead} calls/lead, max ${run.max_in_flight} (mean ${run.mean_in_flight}) in flight, ${run.rejected_429} × 429${run.batch_ms_p50 ? `; batch p50 ms ${cpu(run.batch_ms_p50)}` : ''}${run.timed_out ? ', TIMED OUT' : ''}`,
        `bound: ${run.bound}; CPU ms/lead ${run.cpu_ms_per_lead_total} (${cpu(run.cpu_ms_per_lead)}): ${d.cores} cores could do ${run.cpu_bound_leads_per_s} leads/s; load ${run.load_average}`,
      ]);
    }
    rows.push([
      'drain targets',
      `1 worker ≥ ${d.targets.one_worker_leads_per_s} leads/s: ${d.targets.one_worker_met ? 'met' : 'MISSED'}; 2, 4 workers ≥ 1 worker: ${d.targets.more_workers_at_least_one_worker ? 'met' : 'MISSED'}`,
      `calls/lead ≤ 0.011: ${d.targets.calls_per_lead_met ? 'met' : 'MISSED'}; in flight ≤ ${d.targets.max_in_flight_at_most}: ${d.targets.max_in_flight_met ? 'met' : 'MISSED'}`,
    ]);
  }
  if (r.intake_to_zoho) {
    const l = r.intake_to_zoho;
    rows.push([
      `intake → Zoho at ${l.rate_per_s} leads/s`,
      `p50 ${l.steady.p50_ms} ms, p95 ${l.steady.p95_ms} ms (${l.steady.reached_zoho}/${l.steady.accepted}); ${l.steady.calls_per_lead} calls/lead`,
      `${l.simulator}; ${l.measured}; target ${l.target}: ${l.steady_met ? 'met' : 'MISSED'}`,
    ]);
    const b = l.with_backlog;
    rows.push([
      `intake → Zoho at ${l.rate_per_s} leads/s while ${b.backlog} drain`,
      `p50 ${b.p50_ms} ms, p95 ${b.p95_ms} ms; sent during the drain (${b.sent_while_backlog_drained}): p50 ${b.while_backlog_drained.p50_ms} ms, p95 ${b.while_backlog_drained.p95_ms} ms`,
      `backlog drained in ${b.backlog_drain_s} s; target ${l.target}: ${l.with_backlog_met ? 'met' : 'MISSED'}`,
    ]);
  }
  const rss = [r.intake?.api_peak_rss_mb && `API ${r.intake.api_peak_rss_mb} MB (intake flat out)`].filter(Boolean);
  if (rss.length) rows.push(['peak memory (VmHWM)', rss.join('; '), '']);
  if (r.scaling) {
    rows.push([
      'drain time vs backlog (1 worker)',
      r.scaling.runs
        .map((x: Figures) => `${x.leads}: ${x.seconds} s, ${x.ms_per_lead} ms/lead (${x.leads_per_s}/s)`)
        .join('; '),
      `ms/lead vs smallest ${r.scaling.runs.map((x: Figures) => x.ms_per_lead_vs_smallest).join(', ')} (≤ 1 = no worse than linear): ${r.scaling.no_worse_than_linear ? 'met' : 'MISSED'}`,
    ]);
  }
  if (r.footprint) {
    const modes = Object.keys(r.footprint).filter((k) => k.startsWith('compiled') || k === 'tsx');
    const span = (x: { median: number; min: number; max: number }, unit: string) =>
      `${x.median} ${unit} (${x.min}–${x.max})`;
    for (const proc of ['api', 'worker']) {
      for (const mode of modes) {
        const f = r.footprint[mode][proc];
        rows.push([
          `${proc} footprint, ${mode.replaceAll('_', ' ')} (${r.footprint.node})`,
          `ready ${span(f.ready_ms, 'ms')}, RSS idle ${span(f.idle_rss_mb, 'MB')}, at 50 leads/s ${f.rss_at_50_per_s_mb} MB`,
          proc === 'api' && mode.startsWith('compiled')
            ? `target ready ≤ 1000 ms, idle ≤ 120 MB: ${f.ready_ms.median <= 1000 && f.idle_rss_mb.median <= 120 ? 'met' : 'MISSED'}`
            : `median of ${r.footprint.starts} starts (min–max)`,
        ]);
      }
    }
  }
  if (r.bundle) {
    rows.push([
      'embed size (gzip)',
      `${r.bundle['/embed.js'].gzip_bytes} B / ${r.bundle['/embed.mjs'].gzip_bytes} B`,
      `budget ${r.bundle.gzip_budget_bytes} B`,
    ]);
  }
  const table = ['| figure | measured | baseline / target |', '| --- | --- | --- |'];
  return [...table, ...rows.map((x) => `| ${x.join(' | ')} |`)].join('\n');
}

/**
 * The embed's size, built exactly as the API serves it, against its gzip budget. The one check
 * here that fails the run: a budget nobody enforces is a wish.
 */
async function benchBundle() {
  const bundle = await buildEmbed();
  const size = (f: { bytes: number; gzipBytes: number }) => ({ bytes: f.bytes, gzip_bytes: f.gzipBytes });
  const over = overBudget(bundle);
  results.bundle = {
    '/embed.js': size(bundle.classic),
    '/embed.mjs': size(bundle.module),
    gzip_budget_bytes: GZIP_BUDGET_BYTES,
    within_budget: over.length === 0,
  };
  if (over.length > 0) {
    console.error(`bench: over the ${GZIP_BUDGET_BYTES}-byte gzip budget: ${over.map((f) => f.path).join(', ')}`);
    process.exitCode = 1;
  }
}

await prepareTestTemplate();
const sections: Record<string, () => Promise<void>> = {
  intake: benchIntake,
  drain: async () => {
    results.drain = await benchDrainWorkers({
      leads: number(flags.leads),
      workers: numbers(flags.workers),
      repeat: number(flags.repeat),
      dbParallel: number(flags['db-parallel']),
      latencyMs: number(flags['latency-ms']),
    });
  },
  latency: async () => {
    results.intake_to_zoho = await benchIntakeToZoho({
      rate: number(flags.rate),
      seconds: number(flags.seconds),
      backlog: number(flags.backlog),
    });
  },
  bundle: benchBundle,
  scaling: async () => {
    const sizes = numbers(flags.sizes) ?? [1000, 10_000, ...(process.env.BENCH_LARGE === '0' ? [] : [100_000])];
    results.scaling = await benchScaling(sizes, number(flags.repeat));
  },
  footprint: () => benchFootprint(number(flags.rate), number(flags.seconds), number(flags.starts)),
};
for (const [name, fn] of Object.entries(sections)) {
  if (only && only !== name) continue;
  console.error(`bench: ${name}…`);
  await fn();
  console.log(JSON.stringify({ [name]: results[name === 'latency' ? 'intake_to_zoho' : name] }, null, 2));
}
await dropTestTemplate();
console.log(`\n## leadsync benchmarks (${new Date().toISOString()}, Node ${process.version})\n\n${summaryTable()}\n`);
mkdirSync(resolve(REPO_ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  resolve(REPO_ROOT, 'bench/results/latest.json'),
  JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2),
);
process.exit(process.exitCode ?? 0);
