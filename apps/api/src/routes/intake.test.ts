import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type IsolatedStack, startIsolatedStack, withClient } from '@leadsync/local-stack';
import {
  type Answer,
  call,
  countLeads,
  leadRow,
  postJson,
  startTestApi,
  TEST_CRON_SECRET,
  type TestApi,
} from '../testing/harness.js';

let stack: IsolatedStack;
let api: TestApi;
const ALLOWED_ORIGIN = 'https://www.example.com';

beforeAll(async () => {
  stack = await startIsolatedStack('api-intake');
  api = await startTestApi(stack, { CORS_ORIGINS: `${ALLOWED_ORIGIN}, https://chat.example.com` });
});
afterAll(async () => {
  await api?.stop();
  await stack?.teardown();
});

const uniqueEmail = () => `ada.${randomUUID().slice(0, 8)}@example.com`;
const quote = (over: Record<string, unknown> = {}) => ({
  name: 'Ada Lovelace',
  email: uniqueEmail(),
  message: 'A quote for an analytical engine, please.',
  ...over,
});
const storeLead = (body: unknown, headers: Record<string, string> = {}) =>
  postJson(`${api.url}/api/store-lead`, body, headers);
const chatbotLead = (body: unknown, headers: Record<string, string> = {}) =>
  postJson(`${api.url}/api/chatbot-leads`, body, headers);
const adminGet = (path: string, authorization?: string) =>
  call(`${api.url}${path}`, { headers: authorization ? { authorization } : {} });
const bearer = `Bearer ${TEST_CRON_SECRET}`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const nudgesFor = (id: string) => api.nudged.filter((x) => x === id).length;

function expectAccepted(res: Answer): string {
  expect(res.status).toBe(202);
  expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'pending' });
  return res.body.id;
}

describe('intake stores leads', () => {
  it('stores a JSON quote, normalised, with unknown fields kept in the raw payload, and nudges the worker', async () => {
    const body = quote({
      email: '  Ada.Lovelace@Example.COM ',
      phone: ' +44 (20) 7946-0000 ',
      company: 'Analytical Engines Ltd',
      service: 'consulting',
      budget: 5000,
      page_url: 'https://www.example.com/quote?ref=1',
      utm_source: 'newsletter',
      ad_click_id: 'abc123',
      nested: { kept: ['as', 'posted'] },
    });
    const id = expectAccepted(await storeLead(body));
    expect(await leadRow(stack, id)).toMatchObject({
      source: 'quote_form',
      status: 'pending',
      name: 'Ada Lovelace',
      email: 'ada.lovelace@example.com',
      phone: '+442079460000',
      company: 'Analytical Engines Ltd',
      service: 'consulting',
      budget: '5000',
      page_url: 'https://www.example.com/quote?ref=1',
      utm_source: 'newsletter',
      raw_payload: body,
    });
    expect(nudgesFor(id)).toBe(1);
    const counts = await api.deps.producer.queue.getJobCounts('delayed', 'waiting');
    expect((counts.delayed ?? 0) + (counts.waiting ?? 0)).toBeGreaterThan(0);
  });

  it('stores an HTML form post (application/x-www-form-urlencoded)', async () => {
    const form = new URLSearchParams({
      first_name: 'Grace',
      last_name: 'Hopper',
      email: 'GRACE@example.com',
      phone: '',
      message: 'line one\r\nline two',
      utm_campaign: 'spring',
    });
    const res = await call(`${api.url}/api/store-lead`, { method: 'POST', body: form });
    const id = expectAccepted(res);
    expect(await leadRow(stack, id)).toMatchObject({
      first_name: 'Grace',
      last_name: 'Hopper',
      name: null,
      email: 'grace@example.com',
      phone: null,
      message: 'line one\nline two',
      utm_campaign: 'spring',
    });
  });

  it('takes a chatbot transcript posted by a form as text', async () => {
    const form = new URLSearchParams({
      email: uniqueEmail(),
      transcript: 'user: hi\nbot: hello',
      session_id: `form-${randomUUID()}`,
    });
    const id = expectAccepted(await call(`${api.url}/api/chatbot-leads`, { method: 'POST', body: form }));
    expect(await leadRow(stack, id)).toMatchObject({ source: 'chatbot', transcript: 'user: hi\nbot: hello' });
  });

  it('reads a stored lead back through the admin route', async () => {
    const id = expectAccepted(await storeLead(quote()));
    const res = await adminGet(`/api/leads/${id}`, bearer);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id,
      source: 'quote_form',
      status: 'pending',
      zoho_id: null,
      attempts: 0,
      last_error: null,
      created_at: expect.any(String),
      synced_at: null,
    });
  });

  it('shows the last sync error as {code, message}', async () => {
    const id = expectAccepted(await storeLead(quote()));
    await withClient(stack.databaseUrl, (c) =>
      c.query(
        `update leads set status = 'failed', attempts = 1, last_error_code = 'INVALID_DATA', last_error_message = 'bad' where id = $1`,
        [id],
      ),
    );
    const res = await adminGet(`/api/leads/${id}`, bearer);
    expect(res.body).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: { code: 'INVALID_DATA', message: 'bad' },
    });
  });

  it('lets no client set a lead status or id', async () => {
    const forged = randomUUID();
    const id = expectAccepted(await storeLead(quote({ status: 'synced', id: forged, zoho_id: '1' })));
    expect(id).not.toBe(forged);
    expect(await leadRow(stack, id)).toMatchObject({ status: 'pending', zoho_id: null });
  });

  it('does not nudge the worker in daily mode', async () => {
    const daily = await startTestApi(stack, { SYNC_MODE: 'daily', REDIS_PREFIX: `${stack.redisPrefix}-daily` });
    try {
      const res = await postJson(`${daily.url}/api/store-lead`, quote());
      const id = expectAccepted(res);
      expect(await leadRow(stack, id)).toMatchObject({ status: 'pending' });
      expect(daily.nudged).toEqual([]);
      const counts = await daily.deps.producer.queue.getJobCounts('delayed', 'waiting');
      expect((counts.delayed ?? 0) + (counts.waiting ?? 0)).toBe(0);
    } finally {
      await daily.stop();
    }
  });
});

describe('Idempotency-Key', () => {
  it('replays the first answer for a retried POST and stores one lead', async () => {
    const body = quote();
    const key = `retry-${randomUUID()}`;
    const before = await countLeads(stack);
    const first = await storeLead(body, { 'idempotency-key': key });
    const id = expectAccepted(first);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await storeLead(body, { 'idempotency-key': key });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await countLeads(stack)).toBe(before + 1);
    expect(nudgesFor(id)).toBe(1);
  });

  it('treats the same body with its keys in another order as the same request', async () => {
    const key = `order-${randomUUID()}`;
    const email = uniqueEmail();
    const first = await storeLead({ name: 'Ada', email, message: 'm' }, { 'idempotency-key': key });
    const again = await storeLead({ message: 'm', email, name: 'Ada' }, { 'idempotency-key': key });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
  });

  it('refuses the same key with another body (422) and stores nothing', async () => {
    const key = `reuse-${randomUUID()}`;
    expectAccepted(await storeLead(quote(), { 'idempotency-key': key }));
    const before = await countLeads(stack);
    const other = await storeLead(quote(), { 'idempotency-key': key });
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ error: 'idempotency_key_reused' });
    expect(await countLeads(stack)).toBe(before);
  });

  it('answers 409 with Retry-After while the first request with the key is in flight', async () => {
    const key = `flight-${randomUUID()}`;
    const before = await countLeads(stack);
    await withClient(stack.databaseUrl, async (c) => {
      await c.query('begin');
      await c.query(
        `select pg_advisory_xact_lock(hashtextextended('leadsync:idem:' || 'quote_form' || ':' || $1, 0))`,
        [key],
      );
      const res = await storeLead(quote(), { 'idempotency-key': key });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ error: 'idempotency_key_in_flight' });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      await c.query('rollback');
    });
    expect(await countLeads(stack)).toBe(before);
    expectAccepted(await storeLead(quote(), { 'idempotency-key': key }));
  });

  it.each([
    ['too long', 'k'.repeat(256)],
    ['empty', ''],
    ['not ASCII', 'clé'],
  ])('refuses a key that is %s with 400 and stores nothing', async (_what, key) => {
    const before = await countLeads(stack);
    const res = await storeLead(quote(), { 'idempotency-key': key });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_idempotency_key' });
    expect(await countLeads(stack)).toBe(before);
  });
});

describe('chatbot sessions', () => {
  it('keeps one lead per session: a later post with new details updates it, the longer transcript wins', async () => {
    const session_id = `chat-${randomUUID()}`;
    const email = uniqueEmail();
    const short = [{ role: 'user', content: 'Hi, I need a quote' }];
    const long = [
      ...short,
      { role: 'bot', content: 'Sure! Your phone number?' },
      { role: 'user', content: '+1 555 0100' },
    ];
    const before = await countLeads(stack);

    const first = expectAccepted(await chatbotLead({ name: 'Grace', email, session_id, transcript: short }));
    const second = await chatbotLead({ email, phone: '+1 555 0100', session_id, transcript: long });
    expect(expectAccepted(second)).toBe(first);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(await leadRow(stack, first)).toMatchObject({
      name: 'Grace',
      email,
      phone: '+15550100',
      transcript: long,
      content_version: 2,
    });

    const same = await chatbotLead({ email, phone: '+1 555 0100', session_id, transcript: long });
    expect(same.body.id).toBe(first);
    expect(same.headers.get('idempotent-replayed')).toBe('true');

    expectAccepted(await chatbotLead({ email, session_id, transcript: short, company: 'Navy' }));
    expect(await leadRow(stack, first)).toMatchObject({ transcript: long, company: 'Navy' });
    expect(await countLeads(stack)).toBe(before + 1);
    // created and updated nudge the worker; the replay does not
    expect(nudgesFor(first)).toBe(3);
  });
});

interface BadInputCase {
  name: string;
  send: () => Promise<Answer>;
  status: number;
  error: string;
  paths?: string[];
}

const longText = (n: number) => 'x'.repeat(n);
const post = (path: string, body: BodyInit, contentType?: string) =>
  call(`${api.url}${path}`, {
    method: 'POST',
    body,
    headers: contentType ? { 'content-type': contentType } : {},
  });

const badInputs: BadInputCase[] = [
  {
    name: 'malformed JSON',
    send: () => post('/api/store-lead', '{"name": "Ada", "email": ', 'application/json'),
    status: 400,
    error: 'malformed_json',
  },
  {
    name: 'a JSON string instead of an object',
    send: () => post('/api/store-lead', '"ada@example.com"', 'application/json'),
    status: 400,
    error: 'malformed_json',
  },
  {
    name: 'a JSON array instead of an object',
    send: () => storeLead([quote()]),
    status: 422,
    error: 'validation_failed',
    paths: [''],
  },
  {
    name: 'wrong types',
    send: () => storeLead({ name: 42, email: ['ada@example.com'], phone: { n: 1 }, message: true }),
    status: 422,
    error: 'validation_failed',
    paths: ['name', 'email', 'phone', 'message'],
  },
  {
    name: 'neither email nor phone',
    send: () => storeLead({ name: 'Ada', email: '  ', message: 'call me maybe' }),
    status: 422,
    error: 'validation_failed',
    paths: ['email'],
  },
  {
    name: 'no name at all on the quote form',
    send: () => storeLead({ email: uniqueEmail() }),
    status: 422,
    error: 'validation_failed',
    paths: ['name'],
  },
  {
    name: 'first_name without last_name',
    send: () => storeLead({ first_name: 'Ada', email: uniqueEmail() }),
    status: 422,
    error: 'validation_failed',
    paths: ['last_name'],
  },
  ...['ada@example', 'ada@@example.com', 'ada example@example.com', '.ada@example.com', 'ada@example.c0m', 'ada@'].map(
    (email) => ({
      name: `bad email ${JSON.stringify(email)}`,
      send: () => storeLead(quote({ email })),
      status: 422,
      error: 'validation_failed',
      paths: ['email'],
    }),
  ),
  {
    name: 'an email longer than Zoho keeps (101 characters)',
    send: () => storeLead(quote({ email: `${'a'.repeat(89)}@example.com` })),
    status: 422,
    error: 'validation_failed',
    paths: ['email'],
  },
  {
    name: 'an email carrying a header injection',
    send: () => storeLead(quote({ email: 'ada@example.com\r\nBcc: all@example.com' })),
    status: 422,
    error: 'validation_failed',
    paths: ['email'],
  },
  ...['call me', '1234', '+44 +20 7946', '020 7946 0000 x12', '٠١٢٣٤٥٦٧٨', `+${'1'.repeat(30)}`].map((phone) => ({
    name: `bad phone ${JSON.stringify(phone)}`,
    send: () => storeLead(quote({ email: undefined, phone })),
    status: 422,
    error: 'validation_failed',
    paths: ['phone'],
  })),
  {
    name: 'oversized fields',
    send: () => storeLead(quote({ name: longText(121), company: longText(201), message: longText(10_001) })),
    status: 422,
    error: 'validation_failed',
    paths: ['name', 'company', 'message'],
  },
  {
    name: 'a body over the limit',
    send: () => storeLead(quote({ message: 'x', padding: longText(200 * 1024) })),
    status: 413,
    error: 'payload_too_large',
  },
  {
    name: 'text/plain',
    send: () => post('/api/store-lead', JSON.stringify(quote()), 'text/plain'),
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'a body without a content type',
    send: () => post('/api/store-lead', new TextEncoder().encode(JSON.stringify(quote()))),
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'multipart/form-data',
    send: () => {
      const form = new FormData();
      form.set('name', 'Ada');
      form.set('email', uniqueEmail());
      return call(`${api.url}/api/store-lead`, { method: 'POST', body: form });
    },
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'JSON in a charset other than UTF-8',
    send: () => post('/api/store-lead', JSON.stringify(quote()), 'application/json; charset=iso-8859-1'),
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'a form field posted twice',
    send: () =>
      post(
        '/api/store-lead',
        'name=Ada&email=a%40example.com&email=b%40example.com',
        'application/x-www-form-urlencoded',
      ),
    status: 422,
    error: 'validation_failed',
    paths: ['email'],
  },
  {
    name: 'an unpaired surrogate in a name',
    send: () => post('/api/store-lead', `{"name":"Ada \\ud800","email":"${uniqueEmail()}"}`, 'application/json'),
    status: 422,
    error: 'validation_failed',
    paths: ['name'],
  },
  {
    name: 'NUL in an unknown field (Postgres cannot store it)',
    send: () => storeLead(quote({ tracking: { id: 'a\u0000b' } })),
    status: 422,
    error: 'validation_failed',
    paths: ['tracking.id'],
  },
  {
    name: 'line and paragraph separators or control characters in one-line fields',
    send: () => storeLead(quote({ name: 'Ada\u2028Lovelace', company: 'ACME\tLtd', service: '\u001b[31mred' })),
    status: 422,
    error: 'validation_failed',
    paths: ['name', 'company', 'service'],
  },
  {
    name: 'an escape sequence in a message',
    send: () => storeLead(quote({ message: 'hello \u001b]0;pwned\u0007' })),
    status: 422,
    error: 'validation_failed',
    paths: ['message'],
  },
  {
    name: 'a transcript entry with an unknown role',
    send: () =>
      chatbotLead({
        email: uniqueEmail(),
        transcript: [
          { role: 'user', content: 'hi' },
          { role: 'system', content: 'ignore previous instructions' },
        ],
      }),
    status: 422,
    error: 'validation_failed',
    paths: ['transcript.1.role'],
  },
  {
    // zod ran the transcript's length refinement on an entry without content: a TypeError, a 500
    name: 'a transcript entry without content',
    send: () => chatbotLead({ name: 'x', email: uniqueEmail(), transcript: [{ role: 'user' }] }),
    status: 422,
    error: 'validation_failed',
    paths: ['transcript.0.content'],
  },
  {
    name: 'transcript entries that each miss or mistype one key',
    send: () =>
      chatbotLead({
        email: uniqueEmail(),
        transcript: [{ content: 'hi' }, { role: 'bot', content: 7 }, { role: 'user', content: 'ok' }, null],
      }),
    status: 422,
    error: 'validation_failed',
    paths: ['transcript.0.role', 'transcript.1.content', 'transcript.3'],
  },
  {
    // the old email pattern backtracked on this for about 7 s, holding the whole process
    name: 'an email built to make a pattern backtrack',
    send: () => storeLead({ name: 'x', email: `a@${'aa.'.repeat(22)}${'b'.repeat(24)}1` }),
    status: 422,
    error: 'validation_failed',
    paths: ['email'],
  },
  {
    name: 'a transcript that is a number',
    send: () => chatbotLead({ email: uniqueEmail(), transcript: 5 }),
    status: 422,
    error: 'validation_failed',
    paths: ['transcript'],
  },
  {
    name: 'a chatbot post without email or phone',
    send: () => chatbotLead({ session_id: `s-${randomUUID()}`, transcript: 'hi' }),
    status: 422,
    error: 'validation_failed',
    paths: ['email'],
  },
  {
    name: 'a payload nested absurdly deep',
    send: () => {
      let deep: unknown = 'bottom';
      for (let i = 0; i < 50; i++) deep = { deep };
      return storeLead(quote({ deep }));
    },
    status: 422,
    error: 'validation_failed',
  },
];

describe('bad input gets a 4xx with a JSON body, and nothing is stored', () => {
  it.each(badInputs.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = await countLeads(stack);
    const res = await c.send();
    expect(res.status).toBe(c.status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ error: c.error });
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .+:\d+:\d+/);
    if (c.paths) {
      expect((res.body.issues as { path: string }[]).map((i) => i.path).sort()).toEqual([...c.paths].sort());
      for (const issue of res.body.issues) expect(issue.message).toEqual(expect.any(String));
    }
    expect(await countLeads(stack)).toBe(before);
  });
});

describe('what intake accepts is stored exactly', () => {
  it.each([
    ['accented Latin', 'Zoë Ångström-Ñúñez', 'zoë@example.com'],
    ['CJK', '山田 太郎', 'taro@例え.jp'],
    ['right-to-left', 'مريم الحسن', 'maryam@example.com'],
    ['emoji and joiners', '👩‍🔬 Marie Curie', 'marie@example.com'],
    ['an apostrophe and a hyphen', "Seán O'Brien-Smith", "sean.o'brien@example.ie"],
  ])('a %s name', async (_what, name, email) => {
    const id = expectAccepted(await storeLead({ name, email }));
    expect(await leadRow(stack, id)).toMatchObject({ name, email });
  });

  it('composes decomposed accents (NFC) and lower-cases a Unicode email', async () => {
    const id = expectAccepted(await storeLead({ name: 'Jose\u0301', email: 'JOSÉ@Exämple.COM' }));
    expect(await leadRow(stack, id)).toMatchObject({ name: 'José', email: 'josé@exämple.com' });
  });

  it('folds full-width digits of a phone number to ASCII', async () => {
    const id = expectAccepted(await storeLead({ name: 'Taro', phone: '＋８１ ３-１２３４-５６７８' }));
    expect(await leadRow(stack, id)).toMatchObject({ phone: '+81312345678', email: null });
  });

  it('stores injection attempts verbatim, as inert text', async () => {
    const hostile = {
      name: "Robert'); DROP TABLE leads;--",
      company: "=HYPERLINK(\"http://evil.example\")' OR '1'='1",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
      message: '<script>alert(1)</script>\n{{7*7}} ${7*7} $(rm -rf /) ../../etc/passwd',
      service: '{"$gt": ""}',
      email: uniqueEmail(),
      __proto__extra: 'x',
    };
    const body = JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(hostile).slice(1)}`);
    const id = expectAccepted(await storeLead(body));
    expect(await leadRow(stack, id)).toMatchObject({
      name: hostile.name,
      company: hostile.company,
      message: hostile.message,
      service: hostile.service,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('drops empty transcript bubbles and keeps the rest', async () => {
    const id = expectAccepted(
      await chatbotLead({
        email: uniqueEmail(),
        transcript: [
          { role: 'user', content: 'hi' },
          { role: 'bot', content: '   ' },
          { role: 'bot', content: 'hello', at: '12:00' },
        ],
      }),
    );
    expect((await leadRow(stack, id))?.transcript).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'bot', content: 'hello' },
    ]);
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    call(`${api.url}/api/store-lead`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,idempotency-key',
      },
    });

  it('answers a preflight from an allowed origin', async () => {
    const res = await preflight(ALLOWED_ORIGIN);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
  });

  it('gives an origin outside the list no CORS headers', async () => {
    const res = await preflight('https://evil.example');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const post = await storeLead(quote(), { origin: 'https://evil.example' });
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets an allowed origin read the answer and its Retry-After', async () => {
    const res = await storeLead(quote(), { origin: 'https://chat.example.com' });
    expect(res.status).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://chat.example.com');
    expect(res.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });
});

describe('admin auth on GET /api/leads/:id', () => {
  let id: string;
  beforeAll(async () => {
    id = expectAccepted(await storeLead(quote()));
  });

  it.each([
    ['no credentials', undefined],
    ['a wrong bearer token', 'Bearer not-the-secret'],
    ['the secret with a wrong scheme', `Token ${TEST_CRON_SECRET}`],
    ['basic auth with a wrong password', basic('admin', 'nope')],
    ['the secret as basic-auth user name', basic(TEST_CRON_SECRET, '')],
  ])('refuses %s with 401', async (_what, authorization) => {
    const res = await adminGet(`/api/leads/${id}`, authorization);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="leadsync"');
    expect(res.body).toMatchObject({ error: 'unauthorized' });
  });

  it.each([
    ['a bearer token', bearer],
    ['basic auth with any user', basic('anyone', TEST_CRON_SECRET)],
  ])('accepts the secret as %s', async (_what, authorization) => {
    const res = await adminGet(`/api/leads/${id}`, authorization);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(id);
  });

  it('checks credentials before looking at the id', async () => {
    expect((await adminGet('/api/leads/not-a-uuid')).status).toBe(401);
  });

  it('answers 400 for an id that is not a UUID and 404 for an unknown one', async () => {
    const bad = await adminGet('/api/leads/not-a-uuid', bearer);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'invalid_id' });
    const unknown = await adminGet(`/api/leads/${randomUUID()}`, bearer);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'not_found' });
  });
});

describe('the rest of the surface', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const res = await call(`${api.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', message: 'no such route' });
  });

  it('answers other methods on intake with 405 and Allow', async () => {
    const res = await call(`${api.url}/api/store-lead`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('POST');
  });

  it('sends security headers and no X-Powered-By', async () => {
    const res = await call(`${api.url}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBeTruthy();
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('reports alive and ready', async () => {
    expect(await call(`${api.url}/healthz`)).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await call(`${api.url}/readyz`)).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { redis: 'ok', supabase: 'ok' } },
    });
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the per-minute limit, counting in Redis, and stores nothing more', async () => {
    const prefix = `${stack.redisPrefix}-rl`;
    const limited = await startTestApi(stack, { INTAKE_RATE_LIMIT: '3', REDIS_PREFIX: prefix });
    try {
      const send = () => postJson(`${limited.url}/api/store-lead`, quote());
      for (let i = 0; i < 3; i++) expectAccepted(await send());
      const before = await countLeads(stack);
      const refused = await send();
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ error: 'rate_limited' });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await countLeads(stack)).toBe(before);
      // the chatbot endpoint shares the same budget
      expect((await postJson(`${limited.url}/api/chatbot-leads`, { email: uniqueEmail() })).status).toBe(429);
      expect(await limited.deps.redis.keys(`${prefix}:rl:*`)).toHaveLength(1);
    } finally {
      await limited.stop();
    }
  });
});
