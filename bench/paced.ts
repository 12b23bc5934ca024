import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';

export interface PacedOptions {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: () => string;
  rate: number;
  seconds: number;
  connections: number;
}

export interface PacedResult {
  requests_per_s: number;
  /** 2xx answers */
  accepted: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  non_2xx: number;
  errors: number;
}

/**
 * Open-loop load at a steady rate: request i is due at start + i/rate, whatever came back
 * before it, and its latency counts from then, so a slow answer also charges the requests that
 * queued behind it (no coordinated omission).
 *
 * This is what "at 200 requests/s" means. autocannon's overallRate does something else: each
 * connection sends its whole per-second quota back to back at the top of every second, so it
 * measures bursts at full speed once a second, not a rate.
 */
export async function paced(options: PacedOptions): Promise<PacedResult> {
  const target = new URL(options.url);
  const pool = new Pool(target.origin, { connections: options.connections });
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const sent: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait >= 1) await sleep(wait);
    sent.push(
      pool
        .request({ path: target.pathname, method: options.method, headers: options.headers, body: options.body() })
        .then(async (res) => {
          await res.body.dump();
          if (res.statusCode >= 200 && res.statusCode < 300) latencies.push(performance.now() - due);
          else non2xx++;
        })
        .catch(() => {
          errors++;
        }),
    );
  }
  await Promise.all(sent);
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();

  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!) : 0;
  return {
    requests_per_s: Math.round(total / elapsed),
    accepted: latencies.length,
    p50_ms: pct(0.5),
    p90_ms: pct(0.9),
    p99_ms: pct(0.99),
    max_ms: Math.round(latencies[latencies.length - 1] ?? 0),
    non_2xx: non2xx,
    errors,
  };
}
