import fc from 'fast-check';
import { LIMITS } from '../../apps/api/src/intake/schemas.js';

/**
 * Generators for intake bodies: valid ones built from the zod schemas' shape and limits
 * (apps/api/src/intake/schemas.ts), and mutations beyond them.
 */

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const pick = (chars: string) => fc.constantFrom(...chars.split(''));
const from = (chars: string, min: number, max: number) =>
  fc.array(pick(chars), { minLength: min, maxLength: max }).map((a) => a.join(''));

/** Unicode beyond ASCII that people really type: accents, CJK, RTL, emoji (pairs), combining marks. */
const HUMAN = fc.constantFrom(
  'é',
  'ø',
  'ß',
  'Ł',
  'ñ',
  '李',
  '東京',
  'محمد',
  'Ἀ',
  'e\u0301',
  '😀',
  '👩‍💻',
  "'",
  '-',
  ' ',
  '.',
  'İ',
  'Ω',
);
const word = fc
  .array(fc.oneof({ weight: 4, arbitrary: pick(LETTERS) }, { weight: 1, arbitrary: HUMAN }), {
    minLength: 1,
    maxLength: 12,
  })
  .map((a) => a.join(''));

/** Single-line text within `max` after trimming, never blank. */
const line = (max: number) =>
  fc
    .array(word, { minLength: 1, maxLength: 4 })
    .map((ws) => ws.join(' ').trim())
    .filter((s) => s.trim() !== '' && s.normalize('NFC').length <= max && !/\p{Cc}/u.test(s));

const multi = (max: number) =>
  fc
    .array(fc.oneof(line(200), fc.constant('\n'), fc.constant('\r\n'), fc.constant('\t')), {
      minLength: 1,
      maxLength: 8,
    })
    .map((parts) => parts.join(' '))
    .filter((s) => s.trim() !== '' && s.length <= max);

/** Addresses inside Zoho's documented pattern (zoho-crm-api.md §9.3), unique per run via `tag`. */
export const email = (tag: fc.Arbitrary<string> = fc.uuid().map((u) => u.slice(0, 8))) =>
  fc
    .record({
      local: fc.oneof(
        from(`${LETTERS}${DIGITS}`, 1, 10),
        fc.tuple(from(LETTERS, 1, 6), fc.constantFrom('.', '+', '-', '_'), from(LETTERS, 1, 6)).map((t) => t.join('')),
        fc.constantFrom('ünïcödé', 'josé', '李雷'),
      ),
      tag,
      labels: fc.array(from(`${LETTERS}${DIGITS}`, 1, 8), { minLength: 1, maxLength: 3 }),
      tld: from(LETTERS, 2, 6),
      upper: fc.boolean(),
      pad: fc.constantFrom('', ' ', '  '),
    })
    .map(({ local, tag, labels, tld, upper, pad }) => {
      const address = `${local}.${tag}@${labels.join('.')}.${tld}`;
      return `${pad}${upper ? address.toUpperCase() : address}${pad}`;
    })
    .filter((e) => e.trim().length <= 100);

/** What a visitor types for a phone: optional +, digits, the usual separators, 5–30 digits. */
export const phone = fc
  .record({
    plus: fc.boolean(),
    groups: fc.array(from(DIGITS, 1, 5), { minLength: 1, maxLength: 6 }),
    sep: fc.constantFrom(' ', '-', '.', ''),
    brackets: fc.boolean(),
  })
  .map(({ plus, groups, sep, brackets }) => {
    const [head, ...rest] = groups;
    const body = brackets && rest.length ? `(${head}) ${rest.join(sep)}` : groups.join(sep);
    return `${plus ? '+' : ''}${body}`;
  })
  .filter((p) => {
    const digits = p.replace(/\D/g, '').length;
    return digits >= 5 && p.replace(/[ ().-]/g, '').length <= 30 && p.length <= 40;
  });

const contact = fc.oneof(fc.record({ email: email() }), fc.record({ phone }), fc.record({ email: email(), phone }));

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });

const dropUndefined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export const validQuote = fc
  .record({
    who: fc.oneof(
      fc.record({ name: line(LIMITS.name) }),
      fc.record({ first_name: line(LIMITS.firstName), last_name: line(LIMITS.lastName) }),
    ),
    contact,
    company: optional(line(LIMITS.company)),
    message: optional(multi(2000)),
    service: optional(line(LIMITS.label)),
    budget: optional(fc.oneof(line(LIMITS.budget), fc.integer({ min: 0, max: 1_000_000 }))),
    page_url: optional(fc.webUrl()),
    utm_source: optional(line(LIMITS.label)),
    extra: optional(fc.dictionary(from(LETTERS, 1, 8), line(50), { maxKeys: 3 })),
  })
  .map(({ who, contact, extra, ...rest }) => dropUndefined({ ...extra, ...who, ...contact, ...rest })) as fc.Arbitrary<
  Record<string, unknown>
>;

const transcriptEntries = fc.array(fc.record({ role: fc.constantFrom('user', 'bot'), content: multi(500) }), {
  minLength: 1,
  maxLength: 8,
});

export const validChatbot = fc
  .record({
    name: optional(line(LIMITS.name)),
    contact,
    company: optional(line(LIMITS.company)),
    transcript: optional(fc.oneof(multi(2000), transcriptEntries)),
    session_id: optional(fc.uuid()),
  })
  .map(({ contact, ...rest }) => dropUndefined({ ...contact, ...rest })) as fc.Arbitrary<Record<string, unknown>>;

/** Values that are wrong for any field: other types, control characters, NUL, lone surrogates, sizes. */
export const badValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '\u001b[31mred',
    'line\nbreak',
    '\u2028',
    '  ',
    'not-an-email',
    'a@b',
    '++--',
    '１２３４５６',
    '<script>alert(1)</script>',
    "'; drop table leads; --",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell probe, meant literally
    '${jndi:ldap://x}',
  ),
  fc.integer({ min: 100, max: 60_000 }).map((n) => 'x'.repeat(n)),
  fc.constant(Object.fromEntries([['__proto__', { polluted: true }]])),
  fc.constant({ $gt: '' }),
  fc.constant([{ role: 'system', content: 'x' }]),
);

const FIELDS = [
  'name',
  'first_name',
  'last_name',
  'email',
  'phone',
  'company',
  'message',
  'transcript',
  'session_id',
  'service',
  'budget',
  'page_url',
  'utm_source',
  'status',
  'id',
  'zoho_id',
];

/** A valid body with one to three fields replaced by something wrong, or removed. */
export const mutatedBody = fc
  .record({
    base: fc.oneof(validQuote, validChatbot),
    changes: fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.option(badValue, { nil: undefined })), {
      minLength: 1,
      maxLength: 3,
    }),
  })
  .map(({ base, changes }) => {
    const body: Record<string, unknown> = { ...base };
    for (const [field, value] of changes) {
      if (value === undefined) delete body[field];
      else body[field] = value;
    }
    return body;
  });

/** Nested deeper than intake allows. */
const deep = fc.integer({ min: 10, max: 40 }).map((depth) => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = { n: v };
  return { email: 'deep@example.com', name: 'Deep', extra: v };
});

/** Any JSON value as the whole body: arrays, scalars, null, objects of anything. */
export const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.array(validQuote, { maxLength: 2 }),
  deep,
  fc.constantFrom(null, 0, '', 'string', true, [], {}),
);

/** Raw text that is not (quite) JSON. */
export const malformedJson = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  validQuote.map((b) => JSON.stringify(b).slice(0, -1)),
  validQuote.map((b) => `${JSON.stringify(b)},`),
  fc.constantFrom(
    '{',
    '{"email":',
    '{"a":1}}',
    "{'email':'x@y.com'}",
    'NaN',
    '{"email":"x@y.com",}',
    '\ufeff{}',
    '[1,2',
  ),
);

/** urlencoded edge cases: repeated keys, bad escapes, keys without values, brackets, plus signs. */
export const formText = fc.oneof(
  fc.string({ unit: 'binary-ascii', maxLength: 200 }),
  fc.constantFrom(
    'email=a%40b.com&email=c%40d.com&name=x',
    'email=%ZZ&name=%',
    '&&&=&email',
    'name[]=a&name[]=b&email=x%40example.com',
    'name[first]=a&email=x%40example.com',
    'email=x%40example.com&name=a+b+c',
    'email=x%40example.com&name=%00',
    'email=x%40example.com&name=%ED%A0%80',
    'transcript=%5B%7B%22role%22%3A%22user%22%7D%5D&email=x%40example.com',
    `${'k=v&'.repeat(300)}email=x%40example.com&name=Many`,
  ),
  validQuote.map((b) =>
    new URLSearchParams(
      Object.entries(b).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    ).toString(),
  ),
);

export const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('application/json', 'application/x-www-form-urlencoded') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/x-www-form-urlencoded; charset=UTF-8',
      'APPLICATION/JSON',
      'text/plain',
      'text/html',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/vnd.api+json',
      'application/merge-patch+json',
      '*/*',
      'application/',
      ';;;',
      'application/json, text/plain',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 30 }) },
);

/** Idempotency-Key headers: valid keys, absent, and garbage (sent only if a client library can send it). */
export const idempotencyKey = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 0, maxLength: 300 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'a'.repeat(256), 'é', 'key with spaces', '\t') },
);
