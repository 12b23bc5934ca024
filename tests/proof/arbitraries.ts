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

/** Addresses inside Zoho's documented pattern (docs/zoho-crm.md §9.3), unique per run via `tag`. */
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

// ───────────────────── inputs built to make a regular expression backtrack ─────────────────────

/**
 * The address that froze an API process for about 7 s under the old email pattern: 22 two-letter
 * domain labels, then a top-level label that fails only at its last character.
 */
export const KNOWN_BAD_EMAIL = `a@${'aa.'.repeat(22)}${'b'.repeat(24)}1`;

/**
 * Near-miss addresses: `labels` domain labels (each one that a nested quantifier can split in
 * several ways) and a tail that fails at the very end, so a backtracking engine tries every split.
 */
export function nearMissEmail(labels: number, label = 'aa', tail = `${'b'.repeat(24)}1`): string {
  return `a@${`${label}.`.repeat(labels)}${tail}`;
}

/** Characters of every class intake's patterns talk about: letters, marks, digits, blanks, controls. */
export const REGEX_PROBE_CHARS = [
  'a',
  'Z',
  '0',
  'é',
  '\u0301',
  '٣',
  '李',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\u007f',
  '\u0085',
  '\u2028',
  '\ud800',
  '😀',
];

/** Units that repeat in a backtracking input: a character, a two-letter label, a label with a separator. */
const REPEAT_UNITS = ['a', 'aa', 'aaa', '1', 'a1', 'é', ' ', 'a-', 'a_', 'a.', 'aa.', 'a-a.', '-_', '+', '()'];
/** What ends a run so that it fails only at the end, after the engine tried every way through it. */
const NEAR_MISS_TAILS = ['!', '\u0000', '1'];

/**
 * Deterministic backtracking inputs for one pattern, shortest first: the issue's address and its
 * family, runs of every character and pair the pattern mentions (after each prefix that reaches a
 * later part of it, e.g. `a@`), and long runs just under and over each length cap in `caps`.
 */
export function backtrackingInputs(pattern: RegExp, caps: readonly number[]): string[] {
  const source = pattern.source
    .replace(/\\[pP]\{[^}]*\}/g, '')
    .replace(/\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})/g, (_m, u: string, x: string) =>
      String.fromCharCode(Number.parseInt(u ?? x, 16)),
    )
    .replace(/\\(.)/g, '$1');
  const punctuation = [...new Set(source.match(/[^\p{L}\p{N}\s]/gu) ?? [])];
  const words = [...new Set(source.match(/[A-Za-z]{2,}/g) ?? [])];
  const tokens = [...new Set([...REGEX_PROBE_CHARS, ...punctuation, ...words])];
  const units = [...new Set([...REPEAT_UNITS, ...words])];
  const prefixes = ['', ...punctuation.map((p) => `a${p}`)];
  const out = new Set<string>();

  for (let labels = 2; labels <= 32; labels += 1) {
    for (const label of ['aa', 'a1', 'a-a', 'a_a', 'aéa']) out.add(nearMissEmail(labels, label));
  }
  out.add(KNOWN_BAD_EMAIL);
  for (const times of [8, 16, 32]) {
    for (const prefix of prefixes) {
      for (const tail of NEAR_MISS_TAILS) {
        for (const t of tokens) out.add(prefix + t.repeat(times) + tail);
        for (const u of units) for (const t of tokens) out.add(prefix + (u + t).repeat(times) + tail);
      }
    }
  }
  for (const cap of caps) {
    for (const length of [cap - 1, cap + 1]) {
      for (const prefix of ['', ...prefixes.slice(1, 4)]) {
        for (const u of [...tokens, ...units]) {
          const body = u.repeat(Math.ceil(length / u.length)).slice(0, Math.max(0, length - prefix.length - 1));
          out.add(`${prefix}${body}!`);
        }
      }
    }
  }
  return [...out].sort((a, b) => a.length - b.length);
}

/** fast-check: strings of the same units in random order, for what the deterministic list did not think of. */
export const backtrackingText = (pattern: RegExp, maxLength = 120) => {
  const parts = [...REGEX_PROBE_CHARS, ...REPEAT_UNITS, ...(pattern.source.match(/[^\p{L}\p{N}\s\\]/gu) ?? [])];
  return fc
    .array(fc.constantFrom(...parts), { maxLength })
    .map((a) => a.join(''))
    .filter((s) => s.length <= maxLength * 4);
};

/** Length caps intake applies (and Zoho's for phone and email), for runs just under and over them. */
const FIELD_CAPS = [...new Set([30, 40, 100, ...Object.values(LIMITS).filter((n) => n <= 10_000)])];

/**
 * Field values built to make a pattern backtrack: near-miss addresses with many labels, runs of
 * separators, digits or letters just under and over a cap that fail only at their last character.
 */
export const backtrackingValue: fc.Arbitrary<string> = fc.oneof(
  fc.constant(KNOWN_BAD_EMAIL),
  fc
    .record({
      labels: fc.integer({ min: 2, max: 32 }),
      label: fc.constantFrom('aa', 'a1', 'a-a', 'a_a', 'aéa', 'a--a'),
    })
    .map(({ labels, label }) => nearMissEmail(labels, label)),
  fc
    .record({
      prefix: fc.constantFrom('', 'a@', '+', 'a@b.', 'x'),
      unit: fc.constantFrom(...REPEAT_UNITS, ...REGEX_PROBE_CHARS, '1 ', '1-', '(1)', '@', '.-'),
      cap: fc.constantFrom(...FIELD_CAPS),
      delta: fc.constantFrom(-1, 0, 1),
      tail: fc.constantFrom(...NEAR_MISS_TAILS, '', 'a', '.c'),
    })
    .map(({ prefix, unit, cap, delta, tail }) => {
      const length = Math.max(0, cap + delta - prefix.length - tail.length);
      return prefix + unit.repeat(Math.ceil(length / unit.length)).slice(0, length) + tail;
    }),
);

/** The fields intake reads as text (FIELDS without the ones a client may not set). */
const TEXT_FIELDS = [...FIELDS.filter((f) => !['status', 'id', 'zoho_id'].includes(f)), 'utm_medium', 'utm_campaign'];

/** A valid body with one to three text fields (email, phone, names…) replaced by a backtracking value. */
export const backtrackingBody = fc
  .record({
    base: fc.oneof(validQuote, validChatbot),
    changes: fc.array(fc.tuple(fc.constantFrom(...TEXT_FIELDS), backtrackingValue), { minLength: 1, maxLength: 3 }),
  })
  .map(({ base, changes }) => ({ ...base, ...Object.fromEntries(changes) }));

const DROPPED = Symbol('dropped');
/** A value of the wrong type for any key: what a client that mistakes a key's type sends. */
const wrongType = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  fc.constantFrom('assistant', 'USER', ''),
);

/** `item` with `key` removed (`value` DROPPED) or given `value`. */
function withDefect(item: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const broken: Record<string, unknown> = { ...item };
  if (value === DROPPED) delete broken[key];
  else broken[key] = value;
  return broken;
}

const defect = <K extends string>(keys: readonly K[]) =>
  fc.record({ key: fc.constantFrom(...keys), value: fc.oneof(fc.constant(DROPPED), wrongType) });

/** `item` with one of `keys` removed or given a value of the wrong type. */
function missOrMistypeOne<T extends Record<string, unknown>>(
  item: fc.Arbitrary<T>,
  keys: readonly (keyof T & string)[],
) {
  return fc
    .record({ item, defect: defect(keys) })
    .map(({ item, defect }) => withDefect(item, defect.key, defect.value));
}

const transcriptEntry = fc.record({ role: fc.constantFrom('user', 'bot'), content: multi(200) });
const ENTRY_KEYS = ['role', 'content'] as const;

/** Transcript entries that each miss or mistype one required key (role or content). */
export const brokenTranscript = fc.oneof(
  // every entry with the same defect (a client that never sends content, or sends role as a number)
  fc
    .record({ entries: fc.array(transcriptEntry, { minLength: 1, maxLength: 8 }), defect: defect(ENTRY_KEYS) })
    .map(({ entries, defect }) => entries.map((e) => withDefect(e, defect.key, defect.value))),
  // every entry with a defect of its own
  fc.array(missOrMistypeOne(transcriptEntry, ENTRY_KEYS), { minLength: 1, maxLength: 8 }),
  // one broken entry among good ones
  fc
    .tuple(
      fc.array(transcriptEntry, { maxLength: 4 }),
      missOrMistypeOne(transcriptEntry, ENTRY_KEYS),
      fc.array(transcriptEntry, { maxLength: 4 }),
    )
    .map(([before, broken, after]) => [...before, broken, ...after]),
);

/**
 * The class "arrays and objects whose items each miss or mistype one required key": chatbot bodies
 * with such transcripts, bodies missing or mistyping one of the keys intake needs, and arrays of them.
 */
export const structurallyBadBody = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record({ body: validChatbot, transcript: brokenTranscript })
      .map(({ body, transcript }) => ({ ...body, transcript })),
  },
  missOrMistypeOne(validQuote, ['name', 'first_name', 'last_name', 'email', 'phone']),
  missOrMistypeOne(validChatbot, ['email', 'phone', 'transcript', 'session_id']),
  fc.array(missOrMistypeOne(validQuote, ['name', 'email', 'phone']), { minLength: 1, maxLength: 3 }),
) as fc.Arbitrary<unknown>;
