import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { SimControlClient } from './remote.js';

const BIN = fileURLToPath(new URL('./bin.ts', import.meta.url));
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

function firstLine(proc: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0) resolve(buffer.slice(0, newline));
    });
    proc.once('exit', (code) => reject(new Error(`zoho-sim exited with ${code} before printing its URL`)));
  });
}

describe('bin', () => {
  it('prints its URL on one line, serves the control API and stops on SIGTERM', async () => {
    const args = ['--port', '0', '--dc', 'eu', '--latency-ms', '1', '--refresh-token', 'seeded-refresh-token'];
    child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await firstLine(child);
    const match = /^zoho-sim listening on (http:\/\/127\.0\.0\.1:\d+) \(eu=(http:\/\/127\.0\.0\.1:\d+)\)$/.exec(line);
    expect(match).not.toBeNull();
    const [, url, euUrl] = match!;
    const remote = new SimControlClient(url!);
    expect((await remote.config()).latencyMs).toBe(1);
    const info = await (await fetch(`${url}/oauth/serverinfo`)).json();
    expect(info).toEqual({ result: 'success', locations: { us: url, eu: euUrl } });
    // --refresh-token: a process configured with that value before the simulator started can refresh
    const grant = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: 'seeded-refresh-token',
      client_id: 'sim-client-id',
      client_secret: 'sim-client-secret',
    });
    const token = await (await fetch(`${url}/oauth/v2/token?${grant}`, { method: 'POST' })).json();
    expect(token).toMatchObject({ access_token: expect.any(String), api_domain: url });

    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
