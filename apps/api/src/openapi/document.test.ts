import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildOpenApiDocument } from './document.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);
// Offline: no usage telemetry, no update check.
const OFFLINE_ENV = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };

let dir: string;
let documentFile: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'leadsync-openapi-'));
  documentFile = path.join(dir, 'openapi.json');
  // The bytes GET /api/openapi.json serves (routes/openapi.ts stringifies the same document).
  await writeFile(documentFile, JSON.stringify(buildOpenApiDocument()));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the OpenAPI document', () => {
  it("passes Redocly's recommended lint (redocly.yaml) without an error or a warning", async () => {
    const result = await run(
      bin('redocly'),
      ['lint', documentFile, '--config', path.join(ROOT, 'redocly.yaml'), '--format', 'json'],
      { env: OFFLINE_ENV, maxBuffer: 16 * 1024 * 1024 },
    ).catch((err: { stdout: string }) => err);
    const report = JSON.parse(result.stdout) as {
      totals: { errors: number; warnings: number };
      problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }>;
    };
    const problems = report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    expect(problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('generates a typed client that compiles a call to each intake endpoint, and refuses a wrong call', async () => {
    await run(bin('openapi-typescript'), [documentFile, '-o', path.join(dir, 'schema.d.ts')], { env: OFFLINE_ENV });
    await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'es2022',
          module: 'esnext',
          moduleResolution: 'bundler',
          lib: ['es2022', 'dom'],
          types: [],
          skipLibCheck: true,
        },
        files: ['calls.ts', 'wrong.ts'],
      }),
    );
    // openapi-fetch infers its options generically, so TypeScript skips the excess-property check
    // on an inline body (openapi-ts/openapi-typescript#1769): a misspelt optional field would pass.
    // Typing the body with the generated schema (`satisfies`) restores it, as a client should.
    const client = `import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

export type QuoteForm = components['schemas']['QuoteForm'];
export type ChatbotLead = components['schemas']['ChatbotLead'];
export const client = createClient<paths>({ baseUrl: 'http://127.0.0.1:3000' });
`;
    await writeFile(
      path.join(dir, 'calls.ts'),
      `${client}
export async function storeLeads(): Promise<string[]> {
  const quote = await client.POST('/api/store-lead', {
    body: {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: '+44 20 7946 0000',
      message: 'A quote, please',
    } satisfies QuoteForm,
    headers: { 'Idempotency-Key': 'form-1' },
  });
  const chat = await client.POST('/api/chatbot-leads', {
    body: {
      session_id: 'chat-1',
      email: 'ada@example.com',
      transcript: [{ role: 'user', content: 'hello' }],
    } satisfies ChatbotLead,
  });
  const accepted: Array<{ id: string; status: 'pending' } | undefined> = [quote.data, chat.data];
  return accepted.flatMap((answer) => (answer ? [answer.id] : []));
}
`,
    );
    // Each call differs from a good one above in one thing; every one of them must fail to compile.
    const wrongCalls = [
      [
        "client.POST('/api/store-lead', { body: { name: 'Ada', emial: 'ada@example.com' } satisfies QuoteForm });",
        'emial',
      ],
      ["client.POST('/api/chatbot-leads', { body: { sesion_id: 'chat-1' } satisfies ChatbotLead });", 'sesion_id'],
      ["client.POST('/api/store-leads', { body: { name: 'Ada' } });", '/api/store-leads'],
      [
        "client.POST('/api/chatbot-leads', { body: { transcript: [{ role: 'assistant', content: 'hi' }] } });",
        'assistant',
      ],
      ["client.POST('/api/chatbot-leads', { body: { session_id: 42 } });", 'number'],
    ] as const;
    const wrongSource = `import { type ChatbotLead, client, type QuoteForm } from './calls';\n\nexport function wrong(): void {\n${wrongCalls.map(([call]) => `  ${call}\n`).join('')}}\n`;
    await writeFile(path.join(dir, 'wrong.ts'), wrongSource);

    const compiled = await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], {
      cwd: dir,
    }).catch((err: { stdout: string }) => err);
    const errors = compiled.stdout.split('\n').filter((line) => / error TS\d+/.test(line));
    // The good calls compile: every error is in wrong.ts.
    expect(errors.filter((line) => !line.startsWith('wrong.ts('))).toEqual([]);
    const lines = (await readFile(path.join(dir, 'wrong.ts'), 'utf8')).split('\n');
    for (const [call, named] of wrongCalls) {
      const line = lines.findIndex((l) => l.includes(call)) + 1;
      const onLine = errors.filter((e) => e.startsWith(`wrong.ts(${line},`));
      expect({ call, failed: onLine.length > 0 }).toEqual({ call, failed: true });
      expect(onLine.join('\n')).toContain(named);
    }
  });
});
