import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type IsolatedStack, startIsolatedStack } from '@leadsync/local-stack';
import { DEFAULT_LEAD_MAPPING, duplicateCheckFieldsFor, type MappableLead, toZohoLead } from '@leadsync/zoho-client';
import { isZohoEmail, isZohoPhone, startZohoSim } from '@leadsync/zoho-sim';
import fc from 'fast-check';
import pg from 'pg';
import { parseIntake } from '../../apps/api/src/intake/parse.js';
import { startTestApi, type TestApi } from '../../apps/api/src/testing/harness.js';
import {
  anyJson,
  backtrackingBody,
  contentType,
  formText,
  idempotencyKey,
  malformedJson,
  mutatedBody,
  structurallyBadBody,
  validChatbot,
  validQuote,
} from './arbitraries.js';
import { intFrom, seedFrom } from './support.js';

/**
 * Property-based intake: thousands of generated bodies, headers and content types against both
 * endpoints of the real app, among them values built to make a pattern backtrack and transcript
 * entries (and bodies) that each miss or mistype one required key. Only the contract's 4xx
 * answers or 202, never a 5xx; a 4xx stores nothing; a 202 stores exactly what normalisation says; stored leads map to records the Zoho
 * simulator accepts. FUZZ_SEED replays a run, FUZZ_RUNS sizes it (CI: the defaults below).
 */
const SEED = seedFrom('FUZZ_SEED', 20_240_501);
const RUNS = intFrom('FUZZ_RUNS', 400);
const ALLOWED = new Set([202, 400, 405, 409, 413, 415, 422]);
const ENDPOINTS = { quote_form: '/api/store-lead', chatbot: '/api/chatbot-leads' } as const;
const figures = { requests: 0, byStatus: {} as Record<number, number> };

let stack: IsolatedStack;
let api: TestApi;
/** One connection for the whole file: a connection per look would dominate the run time. */
let client: pg.Client;

beforeAll(async () => {
  console.log(`fuzz-intake: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`);
  stack = await startIsolatedStack('proof-fuzz-intake');
  // no rate limit (429 is not what is being fuzzed) and no nudges (no worker here)
  api = await startTestApi(stack, { INTAKE_RATE_LIMIT: '0', SYNC_MODE: 'daily' });
  client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
});
afterAll(async () => {
  console.log(`fuzz-intake figures: ${JSON.stringify({ seed: SEED, runs: RUNS, ...figures })}`);
  await api?.stop();
  await client?.end();
  await stack?.teardown();
});

const leadCount = async () => (await client.query('select count(*)::int as n from leads')).rows[0].n as number;
const row = async (id: string) =>
  (await client.query('select * from leads where id = $1', [id])).rows[0] as Record<string, unknown> | undefined;

/** A header value fetch can put on the wire (others are the client library's to refuse, not ours). */
const sendable = (v: string) => /^[\t\x20-\x7e]*$/.test(v);

interface Sent {
  status: number;
  body: unknown;
}

async function post(path: string, body: string, headers: Record<string, string>): Promise<Sent> {
  const res = await fetch(`${api.url}${path}`, { method: 'POST', headers, body });
  const text = await res.text();
  figures.requests += 1;
  figures.byStatus[res.status] = (figures.byStatus[res.status] ?? 0) + 1;
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed };
}

const SINGLE_LINE = ['name', 'first_name', 'last_name', 'company', 'service', 'budget', 'page_url', 'utm_source'];

/** Whatever was stored is something intake's own rules allow. */
function expectStorable(stored: Record<string, unknown>) {
  if (stored.email !== null) expect(isZohoEmail(String(stored.email))).toBe(true);
  if (stored.phone !== null) expect(isZohoPhone(String(stored.phone))).toBe(true);
  expect(stored.email !== null || stored.phone !== null).toBe(true);
  for (const key of SINGLE_LINE) {
    if (stored[key] !== null && stored[key] !== undefined)
      expect(/[\p{Cc}\p{Cs}]/u.test(String(stored[key]))).toBe(false);
  }
}

/** One request of any shape; the answer is in the allowed set, and what it stored matches it. */
async function check(path: string, body: string, headers: Record<string, string>) {
  const before = await leadCount();
  const res = await post(path, body, headers);
  const after = await leadCount();
  if (!ALLOWED.has(res.status)) throw new Error(`answered ${res.status}: ${JSON.stringify(res.body)}`);
  if (res.status !== 202) {
    expect(after).toBe(before);
    expect(res.body).toMatchObject({ error: expect.any(String) });
    return res;
  }
  // 202: at most one new row (an Idempotency-Key replay or a chat-session update adds none)
  expect(after - before).toBeLessThanOrEqual(1);
  const id = (res.body as { id: string }).id;
  const stored = await row(id);
  expect(stored).toBeDefined();
  expectStorable(stored!);
  return res;
}

const params = { seed: SEED, numRuns: RUNS, endOnFailure: true } as const;
const sourceArb = fc.constantFrom('quote_form' as const, 'chatbot' as const);

describe('intake fuzz', () => {
  it('accepts every valid body (JSON or form) with 202 and stores exactly its normalised fields', async () => {
    await fc.assert(
      fc.asyncProperty(
        sourceArb.chain((source) =>
          fc.record({
            source: fc.constant(source),
            body: source === 'quote_form' ? validQuote : validChatbot,
            form: fc.boolean(),
            key: fc.boolean(),
          }),
        ),
        async ({ source, body, form, key }) => {
          const sent: Record<string, unknown> = { ...body };
          // one chat session per generated body: a repeat would (rightly) merge into the first lead
          if (typeof sent.session_id === 'string') sent.session_id = `${sent.session_id}-${randomUUID()}`;
          if (form && Array.isArray(sent.transcript)) delete sent.transcript;
          const asForm = Object.fromEntries(
            Object.entries(sent).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
          );
          const before = await leadCount();
          const res = await post(
            ENDPOINTS[source],
            form ? new URLSearchParams(asForm).toString() : JSON.stringify(sent),
            {
              'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
              ...(key ? { 'idempotency-key': randomUUID() } : {}),
            },
          );
          expect({ status: res.status, body: res.body }).toMatchObject({ status: 202 });
          expect(await leadCount()).toBe(before + 1);
          const expected = parseIntake(source, form ? asForm : sent);
          if (!expected.ok) throw new Error(`intake accepted what parseIntake refuses: ${JSON.stringify(expected)}`);
          const stored = (await row((res.body as { id: string }).id))!;
          expect(stored.source).toBe(source);
          expect(stored.status).toBe('pending');
          for (const [k, v] of Object.entries(expected.fields)) {
            if (v !== undefined) expect({ [k]: stored[k] }).toEqual({ [k]: v });
          }
          expectStorable(stored);
        },
      ),
      params,
    );
  }, 300_000);

  it('answers mutated bodies, any JSON value and malformed JSON with a 4xx or 202, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        sourceArb,
        fc.oneof(
          { weight: 3, arbitrary: mutatedBody.map((b) => JSON.stringify(b)) },
          { weight: 2, arbitrary: anyJson.map((b) => JSON.stringify(b) ?? 'null') },
          { weight: 2, arbitrary: malformedJson },
        ),
        async (source, text) => {
          await check(ENDPOINTS[source], text, { 'content-type': 'application/json' });
        },
      ),
      params,
    );
  }, 300_000);

  it('answers backtracking-built values and items that each miss or mistype a key as parseIntake does, 422 or 202', async () => {
    await fc.assert(
      fc.asyncProperty(
        // a transcript is read only on the chatbot endpoint, so that one gets most of the runs
        fc.constantFrom('chatbot' as const, 'chatbot' as const, 'quote_form' as const),
        fc.oneof(backtrackingBody, { weight: 2, arbitrary: structurallyBadBody }),
        fc.boolean(),
        async (source, body, form) => {
          // a form posts text: a structured value travels as its JSON, as the embed would send it
          const encoded =
            form && typeof body === 'object' && body !== null && !Array.isArray(body)
              ? new URLSearchParams(
                  Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
                ).toString()
              : undefined;
          const res = encoded
            ? await check(ENDPOINTS[source], encoded, { 'content-type': 'application/x-www-form-urlencoded' })
            : await check(ENDPOINTS[source], JSON.stringify(body), { 'content-type': 'application/json' });
          // what the server received: URL encoding turns a lone surrogate into U+FFFD
          const expected = parseIntake(source, encoded ? Object.fromEntries(new URLSearchParams(encoded)) : body);
          expect({ status: res.status, issues: expected.ok ? [] : expected.issues }).toMatchObject({
            status: expected.ok ? 202 : 422,
          });
        },
      ),
      params,
    );
  }, 300_000);

  it('answers form bodies, random content types and Idempotency-Key headers with a 4xx or 202', async () => {
    await fc.assert(
      fc.asyncProperty(
        sourceArb,
        fc.oneof(
          formText,
          mutatedBody.map((b) => JSON.stringify(b)),
          malformedJson,
        ),
        contentType,
        idempotencyKey,
        async (source, text, type, key) => {
          fc.pre(sendable(type) && (key === undefined || sendable(key)));
          const headers: Record<string, string> = { 'content-type': type };
          if (key !== undefined) headers['idempotency-key'] = key;
          await check(ENDPOINTS[source], text, headers);
        },
      ),
      params,
    );
  }, 300_000);

  it('replays an Idempotency-Key and refuses it with another body, whatever the body', async () => {
    await fc.assert(
      fc.asyncProperty(sourceArb, validQuote, validQuote, async (source, a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        const key = randomUUID();
        const headers = { 'content-type': 'application/json', 'idempotency-key': key };
        const path = ENDPOINTS[source];
        const first = await check(path, JSON.stringify(a), headers);
        const before = await leadCount();
        const again = await check(path, JSON.stringify(a), headers);
        const other = await check(path, JSON.stringify(b), headers);
        if (first.status === 202) {
          expect(again).toEqual(first);
          expect(other.status).toBe(422);
        }
        expect(await leadCount()).toBe(before);
      }),
      { ...params, numRuns: Math.max(50, Math.floor(RUNS / 4)) },
    );
  }, 300_000);

  it('maps every lead it stored to a record the Zoho simulator accepts', async () => {
    const { rows } = await client.query('select * from leads');
    expect(rows.length).toBeGreaterThan(RUNS / 2);
    const sim = await startZohoSim({ uniqueEmail: false });
    try {
      const { accessToken } = sim.control.issueAccessToken();
      const refused: unknown[] = [];
      const records = rows.map((r) => toZohoLead(r as MappableLead, DEFAULT_LEAD_MAPPING));
      for (const field of ['Email', 'Phone'] as const) {
        const group = records.filter((r) => duplicateCheckFieldsFor(r)[0] === field);
        for (let i = 0; i < group.length; i += 100) {
          const res = await fetch(`${sim.apiDomain}/crm/v8/Leads`, {
            method: 'POST',
            headers: { authorization: `Zoho-oauthtoken ${accessToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ data: group.slice(i, i + 100) }),
          });
          const body = (await res.json()) as { data: Array<{ status: string }> };
          body.data.forEach((d, j) => {
            if (d.status !== 'success') refused.push({ record: group[i + j], answer: d });
          });
        }
      }
      expect(refused).toEqual([]);
      expect(sim.control.counters().records).toBe(rows.length);
    } finally {
      await sim.close();
    }
  }, 120_000);
});
