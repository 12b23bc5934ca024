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
    child = spawn(process.execPath, ['--import', 'tsx', BIN, '--port', '0', '--dc', 'eu', '--latency-ms', '1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await firstLine(child);
    const match = /^zoho-sim listening on (http:\/\/127\.0\.0\.1:\d+) \(eu=(http:\/\/127\.0\.0\.1:\d+)\)$/.exec(line);
    expect(match).not.toBeNull();
    const [, url, euUrl] = match!;
    const remote = new SimControlClient(url!);
    expect((await remote.config()).latencyMs).toBe(1);
    const info = await (await fetch(`${url}/oauth/serverinfo`)).json();
    expect(info).toEqual({ result: 'success', locations: { us: url, eu: euUrl } });

    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
