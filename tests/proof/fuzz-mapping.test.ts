import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_LEAD_MAPPING, type MappableLead, toZohoLead } from '@leadsync/zoho-client';
import { startZohoSim, type ZohoSim } from '@leadsync/zoho-sim';
import fc from 'fast-check';
import { parseIntake } from '../../apps/api/src/intake/parse.js';
import { backtrackingValue, brokenTranscript, email, phone, validChatbot, validQuote } from './arbitraries.js';
import { intFrom, seedFrom } from './support.js';

/**
 * For any lead intake accepts, toZohoLead's record passes the Zoho simulator's validation (it is
 * posted to the simulator's insert, which applies Zoho's mandatory fields, lengths, email and
 * phone patterns, types and field names). Beyond the schema: leads whose free-text columns hold
 * anything at all (as an older intake or a manual SQL fix might have stored) still map to valid
 * records, including values built to make a pattern backtrack and transcripts whose entries each
 * miss or mistype a key. FUZZ_SEED / FUZZ_RUNS as in fuzz-intake.
 */
const SEED = seedFrom('FUZZ_SEED', 20_240_501);
const RUNS = intFrom('FUZZ_RUNS', 400) * 2;

let sim: ZohoSim;
let token: string;

beforeAll(async () => {
  console.log(`fuzz-mapping: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS / 2}`);
  // every email may recur across runs: only validation is under test here
  sim = await startZohoSim({ uniqueEmail: false });
  token = sim.control.issueAccessToken().accessToken;
});
afterAll(async () => {
  await sim?.close();
});

const EMPTY: Omit<MappableLead, 'id' | 'source'> = {
  name: null,
  first_name: null,
  last_name: null,
  email: null,
  phone: null,
  company: null,
  message: null,
  transcript: null,
  service: null,
  budget: null,
  page_url: null,
  utm_source: null,
  utm_medium: null,
  utm_campaign: null,
};

async function zohoAccepts(record: Record<string, unknown>): Promise<unknown> {
  const res = await fetch(`${sim.apiDomain}/crm/v8/Leads`, {
    method: 'POST',
    headers: { authorization: `Zoho-oauthtoken ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ data: [record] }),
  });
  const body = (await res.json()) as { data?: Array<{ status: string }> };
  return body.data?.[0]?.status === 'success' ? true : body;
}

describe('mapping fuzz', () => {
  it('maps every lead intake accepts to a record Zoho accepts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          validQuote.map((body) => ({ source: 'quote_form' as const, body })),
          validChatbot.map((body) => ({ source: 'chatbot' as const, body })),
        ),
        async ({ source, body }) => {
          const parsed = parseIntake(source, body);
          if (!parsed.ok) throw new Error(`intake refused a valid body: ${JSON.stringify(parsed.issues)}`);
          const lead = { ...EMPTY, ...parsed.fields, id: randomUUID(), source } as MappableLead;
          const record = toZohoLead(lead, DEFAULT_LEAD_MAPPING);
          expect({ record, accepted: await zohoAccepts(record) }).toEqual({ record, accepted: true });
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 300_000);

  it('maps stored leads with any free text (unicode, huge, controls) to a record Zoho accepts', async () => {
    const anyText = fc.option(
      fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 100 }),
        fc.integer({ min: 1, max: 40_000 }).map((n) => 'é'.repeat(n)),
        backtrackingValue,
      ),
      { nil: null },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          source: fc.constantFrom('quote_form' as const, 'chatbot' as const),
          name: anyText,
          first_name: anyText,
          last_name: anyText,
          company: anyText,
          message: anyText,
          service: anyText,
          page_url: anyText,
          transcript: fc.option(
            fc.oneof(
              anyText.map((t) => t ?? ''),
              fc.array(fc.record({ role: fc.constantFrom('user' as const, 'bot' as const), content: fc.string() })),
              // entries that each miss or mistype a key, as stored JSON or as its text
              brokenTranscript,
              brokenTranscript.map((t) => JSON.stringify(t)),
            ),
            { nil: null },
          ),
          contact: fc.oneof(
            fc.record({ email: email(), phone: fc.constant(null) }),
            fc.record({ email: fc.constant(null), phone }),
            fc.record({ email: fc.string({ maxLength: 120 }), phone }),
            fc.record({ email: backtrackingValue, phone }),
            fc.record({ email: email(), phone: backtrackingValue }),
          ),
        }),
        async ({ contact, ...rest }) => {
          const lead = { ...EMPTY, ...rest, ...contact, id: randomUUID() } as MappableLead;
          const record = toZohoLead(lead, DEFAULT_LEAD_MAPPING);
          expect({ lead, accepted: await zohoAccepts(record) }).toEqual({ lead, accepted: true });
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 300_000);
});
