import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, tsxEntry, waitFor } from '@leadsync/local-stack';

/** A real API or worker process (server.ts / worker.ts through tsx), its output kept for searching. */
export interface Spawned {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnedApi extends Spawned {
  url: string;
  port: number;
}

function spawnTsx(entry: string, env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, tsxEntry(entry), {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout!.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
  return {
    child,
    output: () => chunks.join(''),
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(force);
          done();
        });
        child.kill(signal);
      }),
  };
}

export async function spawnApi(env: Record<string, string>, port?: number): Promise<SpawnedApi> {
  const p = port ?? (await freePort());
  const proc = spawnTsx('apps/api/src/server.ts', { ...env, PORT: String(p) });
  const url = `http://127.0.0.1:${p}`;
  try {
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`the API exited:\n${proc.output()}`);
        return (await fetch(`${url}/healthz`).catch(() => null))?.ok ?? false;
      },
      'the API process',
      60_000,
    );
  } catch (err) {
    await proc.stop('SIGKILL');
    throw err;
  }
  return { ...proc, url, port: p };
}

export function spawnWorkerProcess(env: Record<string, string>): Spawned {
  return spawnTsx('apps/worker/src/worker.ts', env);
}

/** A seed for property and chaos runs: from the environment to replay one, else fixed (CI) or random. */
export function seedFrom(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'random') return Math.floor(Math.random() * 2 ** 31);
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`${variable} must be an integer or "random"`);
  return n;
}

export function intFrom(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${variable} must be a positive integer`);
  return n;
}

/** A small seeded PRNG (mulberry32), so a chaos schedule replays from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
