// CPU time by process, from /proc (Linux): what each process of a run (worker, API, gateway,
// PostgREST, Postgres backends, simulator) spent, so a throughput figure comes with where the time went.
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';

/** USER_HZ: /proc reports times in clock ticks of 1/100 s on every Linux build Node supports. */
const TICKS_PER_S = 100;

export interface ProcTimes {
  pid: number;
  ppid: number;
  /** utime + stime, in ms */
  self: number;
  /** cutime + cstime (children already reaped), in ms */
  reaped: number;
}

/** One process's times, or null when it is gone (or /proc is not there). */
export function procTimes(pid: number): ProcTimes | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may hold spaces and parentheses: the fields start after the last ')'
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = (i: number) => (Number(f[i]) * 1000) / TICKS_PER_S;
    return { pid, ppid: Number(f[1]), self: ms(11) + ms(12), reaped: ms(13) + ms(14) };
  } catch {
    return null;
  }
}

function allProcs(): ProcTimes[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  return names
    .filter((n) => /^\d+$/.test(n))
    .map((n) => procTimes(Number(n)))
    .filter((p): p is ProcTimes => p !== null);
}

/**
 * CPU ms of a process and everything under it: its own time, its live descendants' (tsx's esbuild
 * service, say) and what its reaped children had used.
 */
export function treeCpuMs(root: number, procs: ProcTimes[] = allProcs()): number {
  const byParent = new Map<number, ProcTimes[]>();
  for (const p of procs) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const top = procs.find((p) => p.pid === root);
  if (!top) return 0;
  let total = 0;
  const stack = [top];
  while (stack.length) {
    const p = stack.pop() as ProcTimes;
    total += p.self + (p === top ? p.reaped : 0);
    stack.push(...(byParent.get(p.pid) ?? []));
  }
  return total;
}

/** Postgres backends serving the monitor's database, except the monitor's own connection. */
async function backendPids(monitor: pg.Client): Promise<number[]> {
  const { rows } = await monitor.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
  );
  return rows.map((r) => r.pid);
}

export interface CpuSource {
  /** e.g. worker, gateway, postgrest, simulator */
  name: string;
  pids: () => number[];
}

/**
 * Measures CPU ms per named source between start() and stop(). Postgres backends of the run's
 * database are found through pg_stat_activity and sampled while the run goes on (sample()), so a
 * backend that ends before stop() still counts with its last reading; one that starts during the
 * run counts in full (it did nothing before it existed). The Postgres figure is the backends of
 * this run's database only: the instance's background processes (WAL writer, checkpointer) are
 * shared with whatever else uses the server and are left out.
 */
export class CpuMeter {
  private readonly start_ = new Map<string, number>();
  private readonly pgFirst = new Map<number, number>();
  private readonly pgLast = new Map<number, number>();
  private pgKnownAtStart = new Set<number>();

  constructor(
    private readonly sources: CpuSource[],
    private readonly postgres?: pg.Client,
  ) {}

  private read(): Map<string, number> {
    const procs = allProcs();
    return new Map(this.sources.map((s) => [s.name, s.pids().reduce((sum, pid) => sum + treeCpuMs(pid, procs), 0)]));
  }

  async start(): Promise<void> {
    for (const [k, v] of this.read()) this.start_.set(k, v);
    if (this.postgres) {
      const pids = await backendPids(this.postgres);
      this.pgKnownAtStart = new Set(pids);
      for (const pid of pids) this.pgFirst.set(pid, procTimes(pid)?.self ?? 0);
      this.samplePids(pids);
    }
  }

  private samplePids(pids: number[]): void {
    for (const pid of pids) {
      const t = procTimes(pid);
      if (!t) continue;
      if (!this.pgKnownAtStart.has(pid) && !this.pgFirst.has(pid)) this.pgFirst.set(pid, 0);
      this.pgLast.set(pid, t.self);
    }
  }

  /** Catches Postgres backends that come and go during the run; call it every few hundred ms. */
  async sample(): Promise<void> {
    if (!this.postgres) return;
    const known = [...this.pgLast.keys()];
    const now = await backendPids(this.postgres);
    this.samplePids([...new Set([...known, ...now])]);
  }

  /** CPU ms per source since start(), with `postgres` (backends of the database) when asked for. */
  async stop(): Promise<Record<string, number>> {
    await this.sample();
    const out: Record<string, number> = {};
    for (const [k, v] of this.read()) out[k] = Math.max(0, v - (this.start_.get(k) ?? 0));
    if (this.postgres) {
      let pg = 0;
      for (const [pid, last] of this.pgLast) pg += Math.max(0, last - (this.pgFirst.get(pid) ?? 0));
      out.postgres = pg;
    }
    return out;
  }
}

/** CPU ms per lead by source, rounded to what /proc's 10 ms ticks can say. */
export function perLead(cpuMs: Record<string, number>, leads: number): Record<string, number> {
  return Object.fromEntries(Object.entries(cpuMs).map(([k, v]) => [k, Number((v / leads).toFixed(4))]));
}
