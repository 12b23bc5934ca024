import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createDatabase,
  DEFAULTS,
  dropDatabase,
  freePort,
  type IsolatedStack,
  REPO_ROOT,
  startIsolatedStack,
  waitFor,
  withClient,
} from '@leadsync/local-stack';
import { startZohoSim, type ZohoSim } from '@leadsync/zoho-sim';
import { copyRelease } from '../../scripts/release.js';

const run = promisify(execFile);

/** The modules the Dockerfile compiles into the image's compile cache, as it names them. */
function dockerfileCacheModules(): string[] {
  const text = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
  const named = /node packages\/config\/dist\/compile-cache\.js ([^&\n]+)/.exec(text)?.[1];
  if (!named) throw new Error('the Dockerfile no longer fills the compile cache');
  return named.trim().split(/\s+/);
}
/** module.enableCompileCache: Node 22.1+ (Node 20 has none and starts without). */
const hasCompileCache = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';

/**
 * What the Dockerfile does, without Docker: `npm run build`, the release folder
 * (scripts/release.ts), `npm ci --omit=dev` from the lockfile, the compile cache filled as the
 * Dockerfile fills it, then the API, a worker and the migration command run from that folder with plain node (no tsx, no @leadsync/source condition,
 * no TypeScript sources, no dev dependencies) against a stack and the Zoho simulator.
 */
describe('release: the production build installed as the image installs it', () => {
  const release = mkdtempSync(join(tmpdir(), 'leadsync-release-'));
  const adminUrl = process.env.DATABASE_URL ?? DEFAULTS.databaseUrl;
  const freshDb = `leadsync_t_release_${randomUUID().slice(0, 8)}`;
  const children: ChildProcess[] = [];
  let stack: IsolatedStack;
  let sim: ZohoSim;

  beforeAll(async () => {
    await run('npm', ['run', 'build'], { cwd: REPO_ROOT });
    copyRelease(release);
    await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: release });
    await run(process.execPath, ['packages/config/dist/compile-cache.js', ...dockerfileCacheModules()], {
      cwd: release,
      env: { PATH: process.env.PATH },
    });
    [stack, sim] = await Promise.all([startIsolatedStack('release'), startZohoSim()]);
  }, 240_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await sim?.close();
    await stack?.teardown();
    await dropDatabase(adminUrl, freshDb).catch(() => {});
    rmSync(release, { recursive: true, force: true });
  });

  /** Plain node, from the release folder; the environment is only what is given. */
  function node(entry: string, env: Record<string, string>): { child: ChildProcess; output: () => string } {
    let output = '';
    const child = spawn(process.execPath, [entry], {
      cwd: release,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    children.push(child);
    return { child, output: () => output };
  }

  const exited = (child: ChildProcess) =>
    new Promise<number | null>((done) => (child.exitCode !== null ? done(child.exitCode) : child.once('exit', done)));

  it('holds compiled output and production dependencies only: no sources, tooling or build tools', () => {
    expect(existsSync(join(release, 'apps/api/dist/server.js'))).toBe(true);
    expect(existsSync(join(release, 'packages/web/dist/embed.js'))).toBe(true);
    expect(existsSync(join(release, 'apps/api/src'))).toBe(false);
    expect(existsSync(join(release, 'tooling'))).toBe(false);
    const installed = readdirSync(join(release, 'node_modules'));
    for (const devOnly of ['tsx', 'esbuild', 'jest', '@biomejs', '@swc']) expect(installed).not.toContain(devOnly);
    expect(readdirSync(join(release, 'node_modules/@leadsync')).sort()).not.toContain('zoho-sim');
  });

  it("fills the compile cache the image ships, from the entry points' modules, without running them", () => {
    const modules = dockerfileCacheModules();
    expect(modules).toEqual(expect.arrayContaining(['apps/api/dist/main.js', 'apps/worker/dist/main.js']));
    for (const module of modules) expect(existsSync(join(release, module))).toBe(true);
    const cache = join(release, '.cache/node-compile-cache');
    if (!hasCompileCache) return expect(existsSync(cache)).toBe(false);
    // one folder per Node version and V8 flags, one file per module compiled
    const [version] = readdirSync(cache);
    expect(readdirSync(join(cache, version!)).length).toBeGreaterThan(500);
  });

  it('applies every migration to a fresh database with the compiled runner, once', async () => {
    await createDatabase(adminUrl, freshDb);
    const url = new URL(adminUrl);
    url.pathname = `/${freshDb}`;
    const env = { DATABASE_URL: url.toString() };
    const first = node('packages/db/dist/migrate-cli.js', env);
    expect(await exited(first.child)).toBe(0);
    const files = readdirSync(join(release, 'supabase/migrations')).filter((f) => f.endsWith('.sql'));
    expect(first.output()).toContain(`applied ${files.sort().join(', ')}`);
    const again = node('packages/db/dist/migrate-cli.js', env);
    expect(await exited(again.child)).toBe(0);
    expect(again.output()).toContain('migrations up to date');
    const { rows } = await withClient(env.DATABASE_URL, (c) => c.query('select count(*)::int as n from leads'));
    expect(rows[0].n).toBe(0);
  }, 60_000);

  it('the API and a worker from it sync a posted lead to Zoho, and drain on SIGTERM', async () => {
    const port = await freePort();
    const secret = randomBytes(24).toString('hex');
    const env = {
      PORT: String(port),
      REDIS_URL: stack.redisUrl,
      REDIS_PREFIX: stack.redisPrefix,
      SUPABASE_URL: stack.supabaseUrl,
      SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey,
      CRON_SECRET: secret,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ZOHO_CLIENT_ID: 'sim-client-id',
      ZOHO_CLIENT_SECRET: 'sim-client-secret',
      ZOHO_ACCOUNTS_URL: sim.accountsUrl,
      ZOHO_API_DOMAIN: sim.apiDomain,
      ZOHO_REFRESH_TOKEN: sim.control.issueRefreshToken(),
    };
    const api = node('apps/api/dist/server.js', env);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/readyz`)).ok, 'the API to be ready', 30_000);

    // the embed comes from the files npm run build wrote (esbuild is not installed)
    const embed = await fetch(`${base}/embed.js`);
    expect(embed.status).toBe(200);
    expect(await embed.text()).toMatch(/^"use strict";var leadsync=/);

    const email = `release-${randomUUID().slice(0, 8)}@example.com`;
    const posted = await fetch(`${base}/api/store-lead`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Grace Hopper', email, message: 'From the production build' }),
    });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };

    const worker = node('apps/worker/dist/worker.js', env);
    await waitFor(
      async () => {
        const res = await fetch(`${base}/api/leads/${id}`, { headers: { authorization: `Bearer ${secret}` } });
        return ((await res.json()) as { status: string }).status === 'synced';
      },
      'the lead to be synced',
      45_000,
    );
    expect(sim.control.records().map((r) => r.Email)).toContain(email);

    for (const proc of [worker, api]) {
      proc.child.kill('SIGTERM');
      expect(await exited(proc.child)).toBe(0);
    }
    expect(api.output() + worker.output()).not.toMatch(/"level":(50|60)/);
    // on a supported Node (22, 24: CI's smoke run) no dependency warns that it is going away
    if (Number(process.versions.node.split('.')[0]) >= 22) {
      expect(api.output() + worker.output()).not.toMatch(/deprecat/i);
    }
  }, 120_000);
});
