// `npm run bench -- latency`: intake → Zoho at a steady 50 leads/s over HTTP, measured from each
// POST being sent to the simulator holding that record (its Created_Time), first on an idle
// sync and then while a backlog of 10,000 pending leads drains beside it.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { localRedisPid, spawnApi, startIsolatedStack } from '@leadsync/local-stack';
import { Pool } from 'undici';
import { CpuMeter, perLead } from './cpu.js';
import {
  engineEnv,
  monitor,
  SIM,
  seedPending,
  serviceCpuSources,
  startGatewayProcess,
  startSimProcess,
  startWorkers,
  stopAll,
  triggerSync,
  waitDrained,
} from './rig.js';

interface Sent {
  email: string;
  sentAt: number;
  status: number;
}

/** Open loop: request i goes out at start + i/rate whatever came back before (see paced.ts). */
async function steadyIntake(apiUrl: string, rate: number, seconds: number, tag: string): Promise<Sent[]> {
  const pool = new Pool(apiUrl, { connections: 10 });
  const sent: Sent[] = [];
  const inFlight: Promise<void>[] = [];
  const start = Date.now();
  for (let i = 0; i < rate * seconds; i++) {
    const wait = start + (i * 1000) / rate - Date.now();
    if (wait >= 1) await sleep(wait);
    const email = `lat-${tag}-${i}-${randomUUID().slice(0, 6)}@example.com`;
    const entry: Sent = { email, sentAt: Date.now(), status: 0 };
    sent.push(entry);
    const body = JSON.stringify({
      name: 'Latency Person',
      email,
      phone: '+1 555 0100',
      company: 'Bench Co',
      message: 'A quote for the benchmark, please.',
    });
    inFlight.push(
      pool
        .request({ path: '/api/store-lead', method: 'POST', headers: { 'content-type': 'application/json' }, body })
        .then(async (res) => {
          entry.status = res.statusCode;
          await res.body.dump();
        })
        .catch(() => {
          entry.status = -1;
        }),
    );
  }
  await Promise.all(inFlight);
  await pool.close();
  return sent;
}

function percentiles(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const pct = (p: number) =>
    sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!) : null;
  return {
    p50_ms: pct(0.5),
    p95_ms: pct(0.95),
    p99_ms: pct(0.99),
    max_ms: sorted.length ? Math.round(sorted.at(-1)!) : null,
  };
}

/**
 * Two phases on one stack: a steady `rate` leads/s for `seconds` on an idle sync, then the same
 * while `backlog` pending leads (inserted straight into the table, one `leadsync sync`) drain.
 */
export async function benchIntakeToZoho(opts: { rate?: number; seconds?: number; backlog?: number } = {}) {
  const rate = opts.rate ?? 50;
  const seconds = opts.seconds ?? 20;
  const backlog = opts.backlog ?? 10_000;
  const stack = await startIsolatedStack('bench_latency');
  const gateway = await startGatewayProcess(stack.postgrest().url);
  const sim = await startSimProcess();
  const mon = await monitor(stack.databaseUrl);
  const redisPid = await localRedisPid(stack.redisUrl);
  const env = engineEnv(stack, gateway.url, sim, await sim.control.issueRefreshToken(), { SYNC_MODE: 'immediate' });
  const api = await spawnApi({ ...env, LOG_LEVEL: 'warn' }, { output: 'stderr' });
  let workers: Awaited<ReturnType<typeof startWorkers>> = [];
  try {
    workers = await startWorkers(env, 1);
    // warm the intake path and the worker's token before measuring
    await steadyIntake(api.url, 10, 1, 'warm');
    await waitDrained(mon.client, 60_000);

    const cpu = new CpuMeter(
      [
        { name: 'api', pids: () => [api.child.pid ?? 0] },
        { name: 'workers', pids: () => workers.map((w) => w.child.pid ?? 0) },
        ...serviceCpuSources({ gateway, stack, sim, redisPid }),
      ],
      mon.client,
    );
    const phase = async (tag: string, withBacklog: boolean) => {
      // the simulator's counters run across phases: calls are read as differences
      const callsBefore = (await sim.control.counters()).recordsPerCall.length;
      await cpu.start();
      let queuedAt: number | null = null;
      if (withBacklog) {
        await seedPending(mon.client, backlog, `backlog-${tag}`);
        queuedAt = await triggerSync(env);
      }
      const sent = await steadyIntake(api.url, rate, seconds, tag);
      const accepted = sent.filter((s) => s.status >= 200 && s.status < 300);
      const drained = await waitDrained(mon.client, 180_000, () => cpu.sample());
      const cpuMs = await cpu.stop();
      const counters = await sim.control.counters();
      const records = await sim.control.records();
      const createdAt = new Map(records.map((r) => [String(r.Email), Date.parse(String(r.Created_Time))]));
      const backlogDone = withBacklog
        ? Math.max(
            ...records
              .filter((r) => String(r.Email).includes(`backlog-${tag}`))
              .map((r) => Date.parse(String(r.Created_Time))),
          )
        : null;
      const latencies = accepted.map((s) => (createdAt.get(s.email) ?? Number.NaN) - s.sentAt).filter(Number.isFinite);
      const duringBacklog =
        backlogDone === null
          ? []
          : accepted
              .filter((s) => s.sentAt <= backlogDone)
              .map((s) => (createdAt.get(s.email) ?? Number.NaN) - s.sentAt)
              .filter(Number.isFinite);
      const calls = counters.recordsPerCall.length - callsBefore;
      const leads = accepted.length + (withBacklog ? backlog : 0);
      return {
        intake_leads: sent.length,
        accepted: accepted.length,
        reached_zoho: latencies.length,
        timed_out: !drained,
        ...percentiles(latencies),
        ...(withBacklog && {
          backlog,
          backlog_drain_s: queuedAt && backlogDone ? Number(((backlogDone - queuedAt) / 1000).toFixed(2)) : null,
          sent_while_backlog_drained: duringBacklog.length,
          while_backlog_drained: percentiles(duringBacklog),
        }),
        zoho_calls: calls,
        calls_per_lead: Number((calls / leads).toFixed(4)),
        max_in_flight: counters.maxConcurrency,
        cpu_ms_per_lead: perLead(cpuMs, leads),
      };
    };
    const steady = await phase('steady', false);
    const withBacklog = await phase('backlog', true);
    return {
      rate_per_s: rate,
      seconds,
      simulator: `${SIM.latencyMs} ms a call, ${SIM.concurrency} calls at once`,
      measured: 'POST sent → the simulator record’s Created_Time',
      steady,
      with_backlog: withBacklog,
      target: 'p95 ≤ 2000 ms',
      steady_met: steady.p95_ms !== null && steady.p95_ms <= 2000,
      with_backlog_met: withBacklog.p95_ms !== null && withBacklog.p95_ms <= 2000,
    };
  } finally {
    await stopAll(api, ...workers, sim, gateway);
    await mon.client.end().catch(() => {});
    await stack.teardown();
  }
}
