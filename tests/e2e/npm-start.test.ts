import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { clearRedisPrefix, DEFAULTS, freePort, REPO_ROOT, tsxEntry, waitFor, withClient } from '@leadsync/local-stack';

/**
 * `npm start` as a newcomer runs it: it brings up what is missing, prints a curl example, and the
 * lead that example posts reaches the (simulated) Zoho. Its own database, ports, Redis prefix and
 * state folder keep it apart from a developer's running stack.
 */
describe('npm start', () => {
  const database = `leadsync_t_start_${randomUUID().slice(0, 8)}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'leadsync-start-'));
  const prefix = `test:start:${randomUUID().slice(0, 8)}`;
  const secret = randomBytes(16).toString('hex');
  let child: ChildProcess | undefined;
  let output = '';

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await withClient(process.env.DATABASE_URL ?? DEFAULTS.databaseUrl, (c) =>
      c.query(`drop database if exists "${database}" with (force)`),
    );
    await clearRedisPrefix(process.env.REDIS_URL ?? DEFAULTS.redisUrl, prefix);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts everything, and the printed example lead reaches Zoho; Ctrl-C stops what it started', async () => {
    const [port, simPort, gatewayPort, restPort, adminPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    child = spawn(process.execPath, tsxEntry('scripts/start.ts'), {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        ZOHO_SIM_PORT: String(simPort),
        STACK_GATEWAY_PORT: String(gatewayPort),
        STACK_POSTGREST_PORT: String(restPort),
        STACK_POSTGREST_ADMIN_PORT: String(adminPort),
        LEADSYNC_DATABASE: database,
        LEADSYNC_STATE_DIR: stateDir,
        REDIS_PREFIX: prefix,
        CRON_SECRET: secret,
        LOG_LEVEL: 'warn',
        ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
        ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    await waitFor(async () => output.includes('leadsync is running'), 'npm start to say it is running', 90_000);
    expect(output).toContain(`http://localhost:${port}/admin/queues`);
    expect(output).toContain(`Zoho (sim)`);
    expect(output).not.toContain(secret);

    // the printed example, as printed
    const url = /curl -s -X POST (\S+)/.exec(output)?.[1];
    const body = /-d '(.+)'/.exec(output)?.[1];
    expect(url).toBe(`http://localhost:${port}/api/store-lead`);
    const posted = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body! });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };

    let status = '';
    await waitFor(
      async () => {
        const res = await fetch(`http://localhost:${port}/api/leads/${id}`, {
          headers: { authorization: `Bearer ${secret}` },
        });
        status = ((await res.json()) as { status: string }).status;
        return status === 'synced';
      },
      'the example lead to be synced',
      30_000,
    );
    const records = (await (await fetch(`http://127.0.0.1:${simPort}/__sim/records`)).json()) as {
      records: Array<Record<string, unknown>>;
    };
    expect(records.records.map((r) => r.Email)).toContain('ada@example.com');

    child.kill('SIGINT');
    await new Promise<void>((done) => (child!.exitCode !== null ? done() : child!.once('exit', () => done())));
    expect(child.exitCode).toBe(0);
    // what it started is gone: the API, the simulator, and the stack's PostgREST and gateway
    for (const p of [port, simPort, gatewayPort, restPort]) {
      await expect(fetch(`http://127.0.0.1:${p}/`)).rejects.toThrow();
    }
  }, 150_000);
});
