import { describe, expect, it } from '@jest/globals';
import { EMAIL_MAX, EMAIL_PATTERN, normalizePhone, PHONE_MAX } from '@leadsync/lead';
import fc from 'fast-check';
import { type ParsedIntake, parseIntake } from './parse.js';
import { LIMITS } from './schemas.js';

const accepted = (r: ParsedIntake) => {
  if (!r.ok) throw new Error(`expected acceptance, got ${JSON.stringify(r.issues)}`);
  return r.fields;
};
const issuePaths = (r: ParsedIntake) => (r.ok ? [] : r.issues.map((i) => i.path).sort());
const quote = (over: Record<string, unknown>) => parseIntake('quote_form', { name: 'Ada', ...over });
const chat = (over: Record<string, unknown>) => parseIntake('chatbot', over);

describe('email', () => {
  it.each([
    ['ada@example.com', 'ada@example.com'],
    ['  Ada.Lovelace+quotes@Example.CO.UK ', 'ada.lovelace+quotes@example.co.uk'],
    ['ÄDA@BEISPIEL.DE', 'äda@beispiel.de'],
    ['用户@例子.广告', '用户@例子.广告'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['a_b-c@sub-domain.example.museum', 'a_b-c@sub-domain.example.museum'],
  ])('accepts %j as %j', (email, stored) => {
    expect(accepted(quote({ email })).email).toBe(stored);
  });

  it.each([
    'plainaddress',
    'ada@example',
    'ada@@example.com',
    '@example.com',
    'ada@.example.com',
    'ada@example..com',
    'ada@example.c',
    'ada@example.123',
    'ada @example.com',
    '.ada@example.com',
    'ada@exa mple.com',
    'ada@example.com\nbcc: x@example.com',
    '"ada"@example.com',
    'ada@[127.0.0.1]',
  ])('refuses %j', (email) => {
    expect(issuePaths(quote({ email }))).toEqual(['email']);
  });

  it(`refuses more than ${EMAIL_MAX} characters rather than truncating an address`, () => {
    const at100 = `${'a'.repeat(EMAIL_MAX - '@example.com'.length)}@example.com`;
    expect(accepted(quote({ email: at100 })).email).toHaveLength(EMAIL_MAX);
    expect(issuePaths(quote({ email: `a${at100}` }))).toEqual(['email']);
  });

  it('only ever stores what Zoho’s pattern accepts (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 20 }), (local, domain) => {
        const r = quote({ email: `${local}@${domain}` });
        if (r.ok && r.fields.email) {
          expect(EMAIL_PATTERN.test(r.fields.email)).toBe(true);
          expect(r.fields.email.length).toBeLessThanOrEqual(EMAIL_MAX);
        }
      }),
    );
  });
});

describe('phone', () => {
  it.each([
    ['+44 20 7946 0000', '+442079460000'],
    ['(020) 7946-0000', '02079460000'],
    ['555.010.0199', '5550100199'],
    // "00" is written "+": the form the Zoho mapping sends and Zoho's duplicate check compares.
    [' 0049 30 1234567 ', '+49301234567'],
    ['＋８１ ３-１２３４-５６７８', '+81312345678'],
    ['+1\u00a0555\u00a00100', '+15550100'],
    ['12345', '12345'],
  ])('accepts %j as %j', (phone, stored) => {
    expect(accepted(quote({ phone })).phone).toBe(stored);
  });

  // Every refusal of the rule is listed in packages/lead/src/phone.test.ts (the property below ties
  // intake to it); here, that the visitor is told which part failed.
  it.each([
    ['letters', 'call me', 'may hold only digits, a leading + and spaces, dashes, dots or brackets'],
    ['an extension', '555 0100 ext 12', 'may hold only digits, a leading + and spaces, dashes, dots or brackets'],
    ['more than 40 typed', `${'1 '.repeat(20)}1`, 'must be at most 40 characters'],
    ['more than 30 without separators', `+${'1'.repeat(30)}`, 'must be at most 30 characters without separators'],
    ['too few digits', '12-34', 'must have at least 5 digits'],
    ['too few digits after the 00 prefix', '00 1234', 'must have at least 5 digits'],
  ])('refuses %s, saying why', (_what, phone, message) => {
    const r = quote({ phone });
    expect(r.ok ? [] : r.issues).toEqual([{ path: 'phone', message }]);
  });

  it('stores exactly what @leadsync/lead’s phone rule gives, and refuses what it refuses (property)', () => {
    // packages/lead/src/phone.test.ts proves that rule never looser than the Zoho simulator.
    // Arabic-Indic digits, a letter and an emoji too, so the property meets every kind of refusal.
    const typed = fc.string({ unit: fc.constantFrom(...'0123456789+-(). x#/\u00a0１٣a📞'), maxLength: 45 });
    fc.assert(
      fc.property(typed, (phone) => {
        // A quote with a name and nothing else can fail only on its phone.
        const r = quote({ phone });
        expect(r.ok ? r.fields.phone : null).toBe(normalizePhone(phone));
        if (r.ok) expect(r.fields.phone?.length).toBeLessThanOrEqual(PHONE_MAX);
      }),
    );
  });
});

describe('contact and name rules', () => {
  it('needs an email or a phone', () => {
    expect(issuePaths(quote({}))).toEqual(['email']);
    expect(issuePaths(quote({ email: '', phone: '   ' }))).toEqual(['email']);
    expect(accepted(quote({ phone: '+1 555 0100' })).email).toBeUndefined();
  });

  it('does not claim contact is missing when it is present but invalid', () => {
    expect(issuePaths(quote({ email: 'nope' }))).toEqual(['email']);
  });

  it('wants name, or first_name and last_name, on the quote form', () => {
    const base = { email: 'a@example.com' };
    expect(issuePaths(parseIntake('quote_form', base))).toEqual(['name']);
    expect(issuePaths(parseIntake('quote_form', { ...base, first_name: 'Ada' }))).toEqual(['last_name']);
    expect(issuePaths(parseIntake('quote_form', { ...base, last_name: 'Lovelace' }))).toEqual(['first_name']);
    expect(accepted(parseIntake('quote_form', { ...base, first_name: 'Ada', last_name: 'Lovelace' }))).toMatchObject({
      first_name: 'Ada',
      last_name: 'Lovelace',
    });
  });

  it('lets a chatbot lead come without a name', () => {
    expect(accepted(chat({ email: 'a@example.com' }))).toEqual({ email: 'a@example.com' });
  });

  it('reports every bad field at once, one issue per field', () => {
    const r = parseIntake('quote_form', { name: 7, email: 'x', phone: 'y', budget: {}, company: 'ok' });
    expect(issuePaths(r)).toEqual(['budget', 'email', 'name', 'phone']);
  });
});

describe('text fields', () => {
  it('trims, treats empty and null as absent, and composes Unicode (NFC)', () => {
    const fields = accepted(quote({ name: '  Jose\u0301  ', company: '', service: null, email: 'a@example.com' }));
    expect(fields).toEqual({ name: 'José', email: 'a@example.com' });
  });

  it.each([
    ['accented Latin', 'Zoë Ångström-Ñúñez'],
    ['CJK', '山田 太郎'],
    ['right-to-left', 'مريم الحسن'],
    ['an emoji ZWJ sequence', '👩‍🔬 Marie'],
    ['a Persian zero-width non-joiner', 'می‌خواهم'],
    ['SQL', "Robert'); DROP TABLE leads;--"],
    ['HTML', '<img src=x onerror=alert(1)>'],
    ['a spreadsheet formula', '=HYPERLINK("http://evil.example")'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
    ['template syntax', '{{7*7}} ${7*7} #{7*7}'],
  ])('keeps %s verbatim', (_what, name) => {
    expect(accepted(quote({ name, email: 'a@example.com' })).name).toBe(name);
  });

  it.each([
    ['a newline', 'Ada\nLovelace'],
    ['a tab', 'Ada\tLovelace'],
    ['NUL', 'Ada\u0000'],
    ['an ANSI escape', '\u001b[2JAda'],
    ['a C1 control', 'Ada\u0085'],
    ['a line separator', 'Ada\u2028Lovelace'],
    ['an unpaired surrogate', 'Ada \ud83d'],
  ])('refuses %s in a one-line field', (_what, name) => {
    expect(issuePaths(quote({ name, email: 'a@example.com' }))).toEqual(['name']);
  });

  it('keeps newlines in a message and makes CRLF LF, but refuses other controls', () => {
    expect(accepted(quote({ email: 'a@example.com', message: 'one\r\ntwo\tthree' })).message).toBe('one\ntwo\tthree');
    expect(issuePaths(quote({ email: 'a@example.com', message: 'bell\u0007' }))).toEqual(['message']);
  });

  it.each([
    ['name', LIMITS.name],
    ['first_name', LIMITS.firstName],
    ['company', LIMITS.company],
    ['message', LIMITS.message],
    ['service', LIMITS.label],
    ['budget', LIMITS.budget],
    ['page_url', LIMITS.pageUrl],
    ['utm_source', LIMITS.label],
  ])('limits %s to %i characters', (field, max) => {
    const body = { name: 'Ada', last_name: 'L', email: 'a@example.com' };
    expect(quote({ ...body, [field]: 'x'.repeat(max) }).ok).toBe(true);
    expect(issuePaths(quote({ ...body, [field]: 'x'.repeat(max + 1) }))).toEqual([field]);
  });

  it('takes a JSON number for budget as its text, but not for name', () => {
    expect(accepted(quote({ email: 'a@example.com', budget: 2500.5 })).budget).toBe('2500.5');
    expect(issuePaths(quote({ email: 'a@example.com', name: 12 }))).toEqual(['name']);
  });
});

describe('transcript', () => {
  const email = 'a@example.com';

  it('takes text or a list of {role, content}, dropping empty bubbles and extra keys', () => {
    expect(accepted(chat({ email, transcript: 'user: hi' })).transcript).toBe('user: hi');
    expect(
      accepted(
        chat({
          email,
          transcript: [
            { role: 'user', content: ' hi ', ts: 1 },
            { role: 'bot', content: '' },
          ],
        }),
      ).transcript,
    ).toEqual([{ role: 'user', content: 'hi' }]);
    expect(accepted(chat({ email, transcript: [] })).transcript).toBeUndefined();
  });

  it('names the bad entry', () => {
    expect(
      issuePaths(
        chat({
          email,
          transcript: [
            { role: 'user', content: 'a' },
            { role: 'assistant', content: 'b' },
          ],
        }),
      ),
    ).toEqual(['transcript.1.role']);
    expect(issuePaths(chat({ email, transcript: [{ role: 'user', content: 5 }] }))).toEqual(['transcript.0.content']);
    expect(issuePaths(chat({ email, transcript: { role: 'user' } }))).toEqual(['transcript']);
  });

  // zod runs refinements and transforms on values whose inner checks failed or that lack a key:
  // none of them may throw (a throw is a 500), each such item is a 422 that names the key.
  it.each([
    ['without content', [{ role: 'user' }], 'transcript.0.content'],
    ['without role', [{ content: 'hi' }], 'transcript.0.role'],
    ['with content an object', [{ role: 'user', content: { text: 'hi' } }], 'transcript.0.content'],
    ['with content a list', [{ role: 'bot', content: ['hi'] }], 'transcript.0.content'],
    ['with role a number', [{ role: 1, content: 'hi' }], 'transcript.0.role'],
    ['that is a string among entries', [{ role: 'user', content: 'hi' }, 'hello'], 'transcript.1'],
    ['that is null', [null], 'transcript.0'],
    ['that is an empty object', [{}], 'transcript.0.role'],
  ])('refuses an entry %s, naming it, without throwing', (_what, transcript, path) => {
    expect(issuePaths(chat({ email, transcript }))).toContain(path);
  });

  it('never throws on entries that each miss or mistype a key, however many (property)', () => {
    // (null content is not a mistake: it is a bubble with nothing in it, dropped)
    const wrong = fc.oneof(fc.constant(undefined), fc.integer(), fc.boolean(), fc.object(), fc.array(fc.string()));
    const entry = fc.oneof(
      fc.record({ role: fc.constantFrom('user', 'bot') }),
      fc.record({ content: fc.string() }),
      fc.record({ role: fc.oneof(wrong, fc.constant(null)), content: fc.string() }),
      fc.record({ role: fc.constantFrom('user', 'bot'), content: wrong }),
      wrong,
    );
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: LIMITS.transcriptEntries + 5 }), (transcript) => {
        const r = chat({ email, transcript });
        expect(r.ok).toBe(false);
        expect(issuePaths(r).every((p) => p.startsWith('transcript'))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it(`bounds the transcript: ${LIMITS.transcriptEntries} entries, ${LIMITS.transcriptTotal} characters in all`, () => {
    const entry = { role: 'user', content: 'x' };
    expect(issuePaths(chat({ email, transcript: Array(LIMITS.transcriptEntries + 1).fill(entry) }))).toEqual([
      'transcript',
    ]);
    const big = { role: 'user', content: 'x'.repeat(LIMITS.transcriptEntry) };
    const count = LIMITS.transcriptTotal / LIMITS.transcriptEntry;
    expect(chat({ email, transcript: Array(count).fill(big) }).ok).toBe(true);
    expect(issuePaths(chat({ email, transcript: Array(count + 1).fill(big) }))).toEqual(['transcript']);
    expect(issuePaths(chat({ email, transcript: 'x'.repeat(LIMITS.transcriptTotal + 1) }))).toEqual(['transcript']);
  });
});

describe('the raw payload', () => {
  it('keeps unknown fields but takes nothing from them into the lead', () => {
    const body = { name: 'Ada', email: 'a@example.com', status: 'synced', id: 'x', gclid: 'abc' };
    const r = parseIntake('quote_form', body);
    expect(r).toEqual({ ok: true, fields: { name: 'Ada', email: 'a@example.com' }, rawPayload: body });
  });

  it('refuses what Postgres cannot store anywhere in it', () => {
    expect(issuePaths(quote({ email: 'a@example.com', extra: { note: 'a\u0000b' } }))).toEqual(['extra.note']);
    expect(issuePaths(quote({ email: 'a@example.com', list: ['ok', '\udc00'] }))).toEqual(['list.1']);
    expect(issuePaths(quote({ email: 'a@example.com', 'bad\u0000key': 1 }))).toEqual(['bad\u0000key']);
  });

  it('refuses a body that is not an object', () => {
    for (const body of [[], 'text', 42, null]) expect(issuePaths(parseIntake('quote_form', body))).toEqual(['']);
  });

  it('reads a missing body as an empty form', () => {
    expect(issuePaths(parseIntake('chatbot', undefined))).toEqual(['email']);
  });
});
