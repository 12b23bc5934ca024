// The bench's own arithmetic (npm run bench): which bound held, the one-worker target, the batch
// steps read from worker logs, and CPU times read from /proc. No durations are asserted.
import { describe, expect, it } from '@jest/globals';
import { perLead, procTimes, treeCpuMs } from '../../bench/cpu.js';
import {
  batchSteps,
  boundHeld,
  loggedWorkerId,
  medianOf,
  oneWorkerTarget,
  ratiosByRound,
  workerShares,
} from '../../bench/drain.js';

describe('bench helpers', () => {
  it('names the lowest ceiling when the drain came close to it, the engine otherwise', () => {
    expect(boundHeld(4500, { ideal: 10_000, db: 5000, cpu: 8000 })).toMatch(/^the database: 0.9 /);
    expect(boundHeld(9000, { ideal: 10_000, db: 20_000, cpu: 0 })).toMatch(/^the simulator/);
    expect(boundHeld(2000, { ideal: 10_000, db: 20_000, cpu: 7000 })).toMatch(/^neither: 0.29 .*machine's CPU/);
  });

  it('takes 0.8 of the database rate as the one-worker target only where it is below half the ideal', () => {
    expect(oneWorkerTarget(10_000, 20_000)).toBe(5000);
    expect(oneWorkerTarget(10_000, 5000)).toBe(4000);
    expect(oneWorkerTarget(10_000, 9000)).toBe(5000);
  });

  it('takes the median run of each worker count and its ratio to one worker round by round', () => {
    const runs = [4000, 5000, 3000].map((leads_per_s, round) => ({ leads_per_s, round }));
    expect(medianOf(runs)).toEqual({ leads_per_s: 4000, round: 0, leads_per_s_each: [4000, 5000, 3000] });
    expect(medianOf(runs.slice(0, 2)).leads_per_s).toBe(4000); // an even count: the lower middle
    const one = [4000, 4000, 6000].map((leads_per_s) => ({ leads_per_s }));
    expect(ratiosByRound(runs, one)).toEqual([1, 1.25, 0.5]);
    expect(ratiosByRound(runs, [])).toEqual([]);
  });

  it("puts each worker process's CPU beside the leads it synced, busiest first", () => {
    const leads = new Map([
      ['w-1', 1000],
      ['w-2', 4000],
    ]);
    const procs = [
      { workerId: 'w-1', cpuMs: 250 },
      { workerId: 'w-2', cpuMs: 560 },
      { workerId: null, cpuMs: 30 }, // never logged its id, or synced nothing
    ];
    expect(workerShares(leads, procs)).toEqual([
      { leads: 4000, cpu_ms_per_lead: 0.14 },
      { leads: 1000, cpu_ms_per_lead: 0.25 },
      { leads: 0, cpu_ms_per_lead: 0 },
    ]);
    const started = JSON.stringify({ level: 30, workerId: 'bench-worker-2-ab12', msg: 'worker started' });
    expect(loggedWorkerId(`noise\n${started}\n`)).toBe('bench-worker-2-ab12');
    expect(loggedWorkerId('no id here')).toBeNull();
  });

  it('reads the median of each batch step from pino lines and skips everything else', () => {
    const line = (claim: number, zoho: number) => JSON.stringify({ msg: 'batch synced', ms: { claim, zoho } });
    const out = ['worker started', line(10, 100), 'not json batch synced', line(30, 300), line(20, 200)].join('\n');
    expect(batchSteps(out)).toEqual({ claim: 20, zoho: 200 });
    expect(batchSteps('worker started')).toBeNull();
  });

  it('reads CPU times of a live process from /proc and none of a gone one', () => {
    if (procTimes(process.pid) === null) return; // not Linux: nothing to read
    let x = 0;
    for (let i = 0; i < 5e7; i++) x += i; // burn some CPU so the reading is above zero
    expect(x).toBeGreaterThan(0);
    expect(procTimes(process.pid)?.self).toBeGreaterThan(0);
    expect(treeCpuMs(process.pid)).toBeGreaterThanOrEqual(procTimes(process.pid)?.self ?? 0);
    expect(procTimes(2 ** 30)).toBeNull();
    expect(perLead({ worker: 1000 }, 4000)).toEqual({ worker: 0.25 });
  });
});
