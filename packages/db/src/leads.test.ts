import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type IsolatedStack, startIsolatedStack, waitFor, withClient } from '@leadsync/local-stack';
import { createSupabase } from './client.js';
import { createDb, type Db, DbQueryError, DbUnavailableError } from './index.js';
import { leadsRepository } from './leads.js';

let stack: IsolatedStack;
let db: Db;

beforeAll(async () => {
  stack = await startIsolatedStack('db-leads');
  db = createDb({ url: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey });
});
afterAll(() => stack.teardown());

const quote = (over: Record<string, unknown> = {}) => ({
  source: 'quote_form' as const,
  fields: { name: 'Ada Lovelace', email: `ada+${Math.random()}@example.com`, message: 'A quote please', ...over },
  rawPayload: { name: 'Ada Lovelace', extra_field: 'kept' },
});

const sql = (text: string) => withClient(stack.databaseUrl, (c) => c.query(text));
const leadCount = async () => (await sql('select count(*)::int as n from leads')).rows[0].n as number;

describe('leads through supabase-js and the gateway', () => {
  it('stores a lead and reads it back', async () => {
    const input = quote();
    const stored = await db.leads.intake(input);
    expect(stored.outcome).toBe('created');
    const lead = await db.leads.get(stored.id!);
    expect(lead).toMatchObject({
      id: stored.id,
      source: 'quote_form',
      status: 'pending',
      email: input.fields.email,
      raw_payload: { extra_field: 'kept' },
      attempts: 0,
    });
  });

  it('replays an idempotency key with the same body and refuses it with another', async () => {
    const input = { ...quote(), idempotencyKey: 'key-1', fingerprint: 'body-a' };
    const first = await db.leads.intake(input);
    const again = await db.leads.intake(input);
    expect(again).toEqual({ id: first.id, status: 'pending', outcome: 'replayed' });
    const other = await db.leads.intake({ ...input, fingerprint: 'body-b' });
    expect(other.outcome).toBe('key_reused');
  });

  it('answers in_flight while another transaction holds the same key', async () => {
    const key = 'key-in-flight';
    await withClient(stack.databaseUrl, async (c) => {
      await c.query('begin');
      await c.query(`select pg_advisory_xact_lock(hashtextextended('leadsync:idem:quote_form:${key}', 0))`);
      const res = await db.leads.intake({ ...quote(), idempotencyKey: key, fingerprint: 'x' });
      expect(res.outcome).toBe('in_flight');
      await c.query('rollback');
    });
    const after = await db.leads.intake({ ...quote(), idempotencyKey: key, fingerprint: 'x' });
    expect(after.outcome).toBe('created');
  });

  it('keeps one lead per chat session and merges what a later post adds', async () => {
    const session = `chat-${Math.random()}`;
    const base = {
      source: 'chatbot' as const,
      fields: {
        name: 'Grace',
        email: 'grace@example.com',
        session_id: session,
        transcript: [{ role: 'user', content: 'hi' }],
      },
      rawPayload: { session_id: session },
    };
    const first = await db.leads.intake(base as never);
    expect(first.outcome).toBe('created');
    expect((await db.leads.intake(base as never)).outcome).toBe('replayed');
    const longer = [
      { role: 'user', content: 'hi' },
      { role: 'bot', content: 'hello, your phone?' },
    ];
    const updated = await db.leads.intake({
      ...base,
      fields: { session_id: session, phone: '+44 20 7946 0000', transcript: longer },
    } as never);
    expect(updated).toMatchObject({ id: first.id, outcome: 'updated' });
    const lead = await db.leads.get(first.id!);
    expect(lead).toMatchObject({
      email: 'grace@example.com',
      phone: '+44 20 7946 0000',
      transcript: longer,
      content_version: 2,
    });
    // a shorter transcript later does not replace the longer one
    await db.leads.intake({ ...base, fields: { session_id: session, company: 'Navy' } } as never);
    expect((await db.leads.get(first.id!))?.transcript).toEqual(longer);
  });

  it('never hands one lead to two concurrent claimers', async () => {
    for (let i = 0; i < 120; i++) await db.leads.intake(quote());
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        db.leads.claimPending({ limit: 15, worker: `w${i}`, leaseSeconds: 60, token: `w${i}` }),
      ),
    );
    const ids = claims.flat().map((l) => l.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    // all released again for the next tests
    await Promise.all(claims.map((_, i) => db.leads.releaseClaims({ token: `w${i}` })));
  });

  it('records batch results, and re-queues a lead whose content changed in flight', async () => {
    const a = await db.leads.intake(quote());
    const claimed = await db.leads.claimPending({ limit: 1000, worker: 'rec', leaseSeconds: 60, token: 'rec' });
    const mine = claimed.find((l) => l.id === a.id)!;
    expect((await db.leads.get(a.id as string))?.status).toBe('syncing');
    // the claim answers what the sync uses, not the stored request (raw_payload) nor the claim's own columns
    for (const left of ['raw_payload', 'idempotency_key', 'status', 'claimed_by', 'claim_token', 'claim_expires_at']) {
      expect(mine).not.toHaveProperty(left);
    }
    expect(mine).toMatchObject({ message: 'A quote please', content_version: 1, zoho_id: null, attempts: 1 });
    expect(mine).toHaveProperty('first_failed_at', null);
    expect(mine).toHaveProperty('created_at');
    expect(mine.email).toMatch(/^ada\+.*@example\.com$/);
    const others = claimed.filter((l) => l.id !== a.id);
    await db.leads.releaseClaims({ token: 'rec', ids: others.map((l) => l.id) });
    const n = await db.leads.recordResults({
      token: 'rec',
      worker: 'rec',
      batchId: '00000000-0000-4000-8000-000000000001',
      results: [
        {
          id: a.id!,
          version: mine.content_version,
          outcome: 'synced',
          zoho_id: '1234567890123456789',
          zoho_action: 'insert',
        },
      ],
    });
    expect(n).toBe(1);
    expect(await db.leads.get(a.id!)).toMatchObject({ status: 'synced', zoho_id: '1234567890123456789' });
    expect((await db.attempts.forLead(a.id!))[0]).toMatchObject({ outcome: 'synced', worker: 'rec' });

    // version moved on while the batch was out → back to pending, not synced
    const b = await db.leads.intake(quote());
    const [claimedB] = (
      await db.leads.claimPending({ limit: 1000, worker: 'rec2', leaseSeconds: 60, token: 'rec2' })
    ).filter((l) => l.id === b.id);
    await withClient(stack.databaseUrl, (c) =>
      c.query('update leads set content_version = content_version + 1 where id = $1', [b.id]),
    );
    await db.leads.recordResults({
      token: 'rec2',
      worker: 'rec2',
      batchId: '00000000-0000-4000-8000-000000000002',
      results: [{ id: b.id!, version: claimedB!.content_version, outcome: 'synced', zoho_id: '1' }],
    });
    expect((await db.leads.get(b.id!))?.status).toBe('pending');
    await db.leads.releaseClaims({ token: 'rec2' });
  });

  it("keeps when a lead's run of transient failures began until its final answer, and can hand an attempt back", async () => {
    const a = await db.leads.intake(quote());
    const round = async (worker: string, result: { outcome: 'synced' | 'failed' | 'retry'; counted?: boolean }) => {
      const claimed = await db.leads.claimPending({ limit: 1000, worker, leaseSeconds: 60, token: worker });
      const mine = claimed.find((l) => l.id === a.id)!;
      await db.leads.releaseClaims({ token: worker, ids: claimed.filter((l) => l.id !== a.id).map((l) => l.id) });
      await db.leads.recordResults({
        token: worker,
        worker,
        batchId: '00000000-0000-4000-8000-000000000003',
        results: [{ id: a.id!, version: mine.content_version, error_code: 'INTERNAL_ERROR', ...result }],
      });
      return (await db.leads.get(a.id!))!;
    };

    const first = await round('ff1', { outcome: 'retry' });
    expect(first).toMatchObject({ status: 'pending', attempts: 1, last_error_code: 'INTERNAL_ERROR' });
    expect(first.first_failed_at).not.toBeNull();
    // a later failure of the same run keeps its start; an uncounted one gives the attempt back
    const second = await round('ff2', { outcome: 'retry', counted: false });
    expect(second).toMatchObject({ status: 'pending', attempts: 1, first_failed_at: first.first_failed_at });
    expect((await db.attempts.forLead(a.id!)).map((x) => x.outcome)).toEqual(['retry', 'retry']);
    // the final answer ends the run
    expect(await round('ff3', { outcome: 'synced' })).toMatchObject({ status: 'synced', first_failed_at: null });
  });

  it('gives a lead whose lease expired to the next claimer', async () => {
    const a = await db.leads.intake(quote());
    const first = await db.leads.claimPending({ limit: 1000, worker: 'crashed', leaseSeconds: 60, token: 'crashed' });
    expect(first.map((l) => l.id)).toContain(a.id);
    expect(
      (await db.leads.claimPending({ limit: 1000, worker: 'next', leaseSeconds: 60, token: 'next' })).map((l) => l.id),
    ).not.toContain(a.id);
    await withClient(stack.databaseUrl, (c) =>
      c.query(`update leads set claim_expires_at = now() - interval '1 second' where claimed_by = 'crashed'`),
    );
    expect(
      (await db.leads.claimPending({ limit: 1000, worker: 'next', leaseSeconds: 60, token: 'next' })).map((l) => l.id),
    ).toContain(a.id);
    await db.leads.releaseClaims({ token: 'next' });
  });
  it('lets only the claim token record or release a lead, so a stale batch of the same worker cannot clear a newer claim', async () => {
    const a = await db.leads.intake(quote());
    const take = async (token: string) => {
      const claimed = await db.leads.claimPending({ limit: 1000, worker: 'same-worker', leaseSeconds: 60, token });
      await db.leads.releaseClaims({ token, ids: claimed.filter((l) => l.id !== a.id).map((l) => l.id) });
      return claimed.find((l) => l.id === a.id)!;
    };
    const stale = await take('run-old');
    // the old run's lease runs out (its call was slow); a new run of the same worker claims the lead
    await withClient(stack.databaseUrl, (c) =>
      c.query(`update leads set claim_expires_at = now() - interval '1 second' where id = $1`, [a.id]),
    );
    const fresh = await take('run-new');
    expect((await db.leads.get(fresh.id))?.claim_token).toBe('run-new');

    // the stale run's answers arrive late: neither its record nor its release touches the lead
    const recorded = await db.leads.recordResults({
      token: 'run-old',
      worker: 'same-worker',
      batchId: '00000000-0000-4000-8000-000000000004',
      results: [{ id: a.id!, version: stale.content_version, outcome: 'retry', error_code: 'INTERNAL_ERROR' }],
    });
    expect(recorded).toBe(0);
    expect(await db.leads.releaseClaims({ token: 'run-old' })).toBe(0);
    expect(await db.leads.get(a.id!)).toMatchObject({ status: 'syncing', claim_token: 'run-new' });

    // the lease of the live run is renewed; the stale token renews nothing
    expect(await db.leads.extendClaims({ token: 'run-old', leaseSeconds: 600 })).toBe(0);
    const before = (await db.leads.get(a.id!))!.claim_expires_at!;
    expect(await db.leads.extendClaims({ token: 'run-new', leaseSeconds: 600 })).toBe(1);
    expect(Date.parse((await db.leads.get(a.id!))!.claim_expires_at!)).toBeGreaterThan(Date.parse(before));

    const n = await db.leads.recordResults({
      token: 'run-new',
      worker: 'same-worker',
      batchId: '00000000-0000-4000-8000-000000000005',
      results: [{ id: a.id!, version: fresh.content_version, outcome: 'synced', zoho_id: '42' }],
    });
    expect(n).toBe(1);
    expect(await db.leads.get(a.id!)).toMatchObject({ status: 'synced', claim_token: null, claim_job: null });
  });

  it("hands back a dead run's claims when BullMQ runs its job again", async () => {
    const a = await db.leads.intake(quote());
    const claimed = await db.leads.claimPending({ limit: 1000, worker: 'w', leaseSeconds: 60, token: 't1', job: '77' });
    expect(claimed.map((l) => l.id)).toContain(a.id);
    expect(await db.leads.releaseJobClaims('78')).toBe(0);
    expect(await db.leads.releaseJobClaims('77')).toBe(claimed.length);
    expect(await db.leads.get(a.id!)).toMatchObject({ status: 'pending', claim_token: null, attempts: 1 });
  });
});

describe('group commit (intake_leads)', () => {
  // Rows written in one transaction share its now(): equal created_at means one call carried them.
  const createdAt = async (ids: (string | null)[]) => {
    const { rows } = await withClient(stack.databaseUrl, (c) =>
      c.query<{ id: string; created_at: Date }>('select id, created_at from leads where id = any($1)', [ids]),
    );
    return new Map(rows.map((r) => [r.id, r.created_at.toISOString()]));
  };

  it('stores every one of many concurrent leads once, in fewer transactions than leads', async () => {
    const inputs = Array.from({ length: 200 }, () => quote());
    const stored = await Promise.all(inputs.map((input) => db.leads.intake(input)));
    expect(stored.every((r) => r.outcome === 'created')).toBe(true);
    const ids = stored.map((r) => r.id);
    expect(new Set(ids).size).toBe(200);
    const rows = await withClient(stack.databaseUrl, (c) =>
      c.query<{ id: string; email: string }>('select id, email from leads where id = any($1)', [ids]),
    );
    // each answer names the row that holds its own lead
    const emailById = new Map(rows.rows.map((r) => [r.id, r.email]));
    expect(stored.map((r) => emailById.get(r.id!))).toEqual(inputs.map((input) => input.fields.email));
    expect(new Set((await createdAt(ids)).values()).size).toBeLessThan(200);
  });

  it('gives each lead of a shared call the answer it would get alone', async () => {
    // one call out at a time: the first lead leaves alone, the rest wait and leave together
    const repo = leadsRepository(createSupabase({ url: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey }), {
      maxBatch: 50,
      maxInFlight: 1,
    });
    const key = `group-${Math.random()}`;
    const session = `group-chat-${Math.random()}`;
    const chat = (transcript: string[]) => ({
      source: 'chatbot' as const,
      fields: {
        email: 'chat@example.com',
        session_id: session,
        transcript: transcript.map((content) => ({ role: 'user' as const, content })),
      },
      rawPayload: { session_id: session },
    });
    const answers = await Promise.all([
      repo.intake(quote()),
      repo.intake({ ...quote(), idempotencyKey: key, fingerprint: 'a' }),
      repo.intake({ ...quote(), idempotencyKey: key, fingerprint: 'a' }),
      repo.intake({ ...quote(), idempotencyKey: key, fingerprint: 'b' }),
      repo.intake(chat(['hi'])),
      repo.intake(chat(['hi', 'my phone is 555'])),
    ]);
    // the same key twice in one call is two requests in flight at once: 409 for the later ones
    expect(answers.map((a) => a.outcome)).toEqual([
      'created',
      'created',
      'in_flight',
      'in_flight',
      'created',
      'updated',
    ]);
    expect(answers[5]!.id).toBe(answers[4]!.id);
    // once the first is answered, a retry replays it and another body is refused
    expect(await repo.intake({ ...quote(), idempotencyKey: key, fingerprint: 'a' })).toEqual({
      id: answers[1]!.id,
      status: 'pending',
      outcome: 'replayed',
    });
    expect((await repo.intake({ ...quote(), idempotencyKey: key, fingerprint: 'b' })).outcome).toBe('key_reused');
    const times = await createdAt(answers.map((a) => a.id));
    expect(times.get(answers[1]!.id!)).toBe(times.get(answers[4]!.id!));
    expect((await db.leads.get(answers[4]!.id!))?.transcript).toHaveLength(2);
  });

  it("keeps one lead's database error its own: the others of its call are stored", async () => {
    const repo = leadsRepository(createSupabase({ url: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey }), {
      maxBatch: 50,
      maxInFlight: 1,
    });
    // no email and no phone: the leads_contact_present check refuses it (intake's own validation
    // stops such a body long before; here it stands for any lead the database refuses)
    const refused = { source: 'quote_form' as const, fields: { name: 'Nobody' }, rawPayload: {} };
    const [first, ok1, bad, ok2] = await Promise.allSettled([
      repo.intake(quote()),
      repo.intake(quote()),
      repo.intake(refused),
      repo.intake(quote()),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { outcome: 'created' } });
    expect(ok1).toMatchObject({ status: 'fulfilled', value: { outcome: 'created' } });
    expect(ok2).toMatchObject({ status: 'fulfilled', value: { outcome: 'created' } });
    expect(bad.status).toBe('rejected');
    expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(DbQueryError);
  });

  it('does not re-send a call the database refused for load (too many connections) lead by lead', async () => {
    const repo = leadsRepository(createSupabase({ url: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey }), {
      maxBatch: 50,
      maxInFlight: 1,
    });
    // intake_leads answers as a Postgres out of connection slots would; intake_lead still works
    const original = (await sql(`select pg_get_functiondef('public.intake_leads(jsonb)'::regprocedure) as def`)).rows[0]
      .def as string;
    await sql(`create or replace function public.intake_leads(p_items jsonb)
      returns table (idx integer, id uuid, status text, outcome text) language plpgsql as $$
      begin raise exception 'sorry, too many clients already' using errcode = '53300'; end $$`);
    try {
      const before = await leadCount();
      const [first, ...shared] = await Promise.allSettled(Array.from({ length: 5 }, () => repo.intake(quote())));
      expect(first).toMatchObject({ status: 'fulfilled', value: { outcome: 'created' } });
      for (const answer of shared) {
        expect(answer.status).toBe('rejected');
        expect((answer as PromiseRejectedResult).reason).toBeInstanceOf(DbUnavailableError);
      }
      // the lone first lead only: the four that shared a call were answered 503, not sent again alone
      expect(await leadCount()).toBe(before + 1);
    } finally {
      await sql(original);
    }
  });

  it('still takes leads, one call each, from a database not migrated to intake_leads yet', async () => {
    const supabase = createSupabase({ url: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey });
    const repo = leadsRepository(supabase, { maxBatch: 50, maxInFlight: 1 });
    const schemaHas = async (present: boolean) => {
      const { error } = await supabase.rpc('intake_leads', { p_items: [] });
      return present ? error === null : error?.code === 'PGRST202';
    };
    const rename = async (from: string, to: string, present: boolean) => {
      await withClient(stack.databaseUrl, async (c) => {
        await c.query(`alter function public.${from}(jsonb) rename to ${to}`);
        await c.query(`notify pgrst, 'reload schema'`);
      });
      await waitFor(() => schemaHas(present), 'PostgREST to reload its schema');
    };
    await rename('intake_leads', 'intake_leads_hidden', false);
    try {
      const answers = await Promise.all(Array.from({ length: 5 }, () => repo.intake(quote())));
      expect(answers.map((a) => a.outcome)).toEqual(['created', 'created', 'created', 'created', 'created']);
    } finally {
      await rename('intake_leads_hidden', 'intake_leads', true);
    }
  });
});

describe('row-level security', () => {
  it('refuses the anon key on every table and function', async () => {
    // the same client the service uses, holding the public anon key instead
    const anon = createSupabase({ url: stack.supabaseUrl, serviceRoleKey: stack.anonKey });
    for (const table of ['leads', 'sync_attempts', 'zoho_tokens']) {
      const read = await anon.from(table).select('*');
      expect(read.data).toEqual([]);
      const write = await anon.from(table).insert({});
      expect(write.error?.code).toBe('42501');
    }
    for (const fn of ['lead_stats', 'zoho_token_status', 'claim_pending_leads', 'intake_lead', 'intake_leads']) {
      const call = await anon.rpc(fn, {});
      expect(call.error).not.toBeNull();
    }
    // and the service role does see the rows
    expect((await db.stats.leads()).total).toBeGreaterThan(0);
  });
});

describe('when Supabase is down', () => {
  it('turns a stopped PostgREST and a stopped gateway into a retryable error', async () => {
    await stack.stopPostgrest();
    await expect(db.leads.intake(quote())).rejects.toBeInstanceOf(DbUnavailableError);
    await stack.startPostgrest();
    await stack.stopGateway();
    await expect(db.leads.intake(quote())).rejects.toBeInstanceOf(DbUnavailableError);
    await stack.startGateway();
    expect((await db.leads.intake(quote())).outcome).toBe('created');
  });
});
