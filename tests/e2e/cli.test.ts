import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type IsolatedStack,
  REPO_ROOT,
  stackEnv,
  startIsolatedStack,
  tsxEntry,
  withClient,
} from '@leadsync/local-stack';
import { connectionOptions, QUEUES } from '@leadsync/queue';
import { stateKey, verifyState } from '@leadsync/zoho-client';
import { consent, startZohoSim, type ZohoSim } from '@leadsync/zoho-sim';
import { Queue } from 'bullmq';

const run = promisify(execFile);

/** `npm run leadsync -- …` as a user runs it: a separate process configured by the environment. */
describe('leadsync CLI', () => {
  let stack: IsolatedStack;
  let sim: ZohoSim;
  let env: Record<string, string>;
  let queue: Queue;

  beforeAll(async () => {
    stack = await startIsolatedStack('cli');
    sim = await startZohoSim();
    env = stackEnv(stack, sim, {
      PATH: process.env.PATH ?? '',
      ZOHO_REDIRECT_URI: 'http://127.0.0.1:9/auth/zoho/callback',
      LOG_LEVEL: 'silent',
    });
    queue = new Queue(QUEUES.sync, { connection: connectionOptions(stack.redisUrl), prefix: stack.redisPrefix });
  });
  afterAll(async () => {
    await queue?.close();
    await sim?.close();
    await stack?.teardown();
  });

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, tsxEntry('apps/cli/src/cli.ts', ...args), {
        env,
        cwd: REPO_ROOT,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }
  /** stderr without the runtime's own deprecation notices */
  const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('leadsync'));

  it('auth-url prints a consent URL with a state the API accepts', async () => {
    const res = await cli('auth-url');
    expect(res.code).toBe(0);
    const url = new URL(res.stdout.split('\n')[0]!);
    expect(`${url.origin}${url.pathname}`).toBe(`${sim.accountsUrl}/oauth/v2/auth`);
    expect(url.searchParams.get('redirect_uri')).toBe(env.ZOHO_REDIRECT_URI);
    const state = verifyState(stateKey(env.CRON_SECRET!), url.searchParams.get('state'));
    expect(state).toMatchObject({ ok: true, channel: 'cli' });
  });

  it('exchange-code stores the tokens; status shows the connection and the leads', async () => {
    const { code } = await consent(sim.accountsUrl, { redirectUri: env.ZOHO_REDIRECT_URI, prompt: 'consent' });
    const exchanged = await cli('exchange-code', code);
    expect(exchanged.code).toBe(0);
    expect(exchanged.stdout).toContain(`Zoho connected: accounts server ${sim.accountsUrl}`);

    const again = await cli('exchange-code', code);
    expect(again.code).toBe(1);
    expect(errorLines(again.stderr)).toEqual([expect.stringContaining('(invalid_code)')]);

    await withClient(stack.databaseUrl, (c) =>
      c.query(`insert into leads (source, name, email, status) values
        ('quote_form', 'A Person', 'a@example.com', 'failed'), ('quote_form', 'B Person', 'b@example.com', 'failed'),
        ('chatbot', 'C Person', 'c@example.com', 'synced')`),
    );
    const status = await cli('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Zoho: connected via ${sim.accountsUrl}`);
    expect(status.stdout).toMatch(/Leads: 3 \(pending 0, syncing 0, synced 1, failed 2, spam 0\)/);
  });

  it('retry-failed puts every failed lead back to pending and queues a drain', async () => {
    const before = await queue.getJobCounts('waiting');
    const res = await cli('retry-failed');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('2 failed leads are pending again');
    const { rows } = await withClient(stack.databaseUrl, (c) =>
      c.query(`select status, count(*)::int as n from leads group by status order by status`),
    );
    expect(rows).toEqual([
      { status: 'pending', n: 2 },
      { status: 'synced', n: 1 },
    ]);
    expect((await queue.getJobCounts('waiting')).waiting).toBe(before.waiting! + 1);
    expect((await cli('retry-failed')).stdout).toContain('No failed leads.');
  });

  it('sync queues a drain with its limit', async () => {
    const res = await cli('sync', '--limit', '7');
    expect(res.code).toBe(0);
    const id = /Drain job (\S+) queued/.exec(res.stdout)?.[1];
    expect((await queue.getJob(id!))?.data).toEqual({ reason: 'cli', limit: 7 });
  });

  it('fails with one line naming the problem', async () => {
    const badLimit = await cli('sync', '--limit', 'many');
    expect(badLimit.code).toBe(1);
    expect(errorLines(badLimit.stderr)).toEqual(['leadsync sync: --limit must be a whole number from 1 to 100000']);

    const saved = env.CRON_SECRET;
    delete env.CRON_SECRET;
    try {
      const missing = await cli('status');
      expect(missing.code).toBe(1);
      expect(errorLines(missing.stderr)).toEqual(['leadsync status: CRON_SECRET is required but not set']);
    } finally {
      env.CRON_SECRET = saved!;
    }
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('usage: npm run leadsync');
  });
});
