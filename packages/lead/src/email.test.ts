import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { canonicalEmail, EMAIL_MAX, EMAIL_PATTERN, isEmail, normalizeEmail } from './email.js';

// Zoho's pattern exactly as its Insert Records page documents it: the oracle the linear rewrite
// must agree with (it backtracks exponentially, so it is only ever run here, on short inputs).
const ZOHO_DOCUMENTED =
  /^[+\-\p{L}\p{M}\p{N}_]([\p{L}\p{M}\p{N}!#$%&'*+\-/=?^_`{|}~.]*)@(?=.{4,256}$)(([\p{L}\p{N}\p{M}]+)(([-_]*[\p{L}\p{M}\p{N}])*)[.])+[\p{L}\p{M}]{2,22}$/u;

describe('EMAIL_PATTERN', () => {
  it('accepts exactly what Zoho’s documented pattern accepts (property)', () => {
    const unit = fc.constantFrom('a', 'b', 'é', '\u0301', '1', '٣', '-', '_', '.', '@', '+', '!', "'", ' ', 'aa');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 22 }), fc.array(unit, { maxLength: 10 }), (local, domain) => {
        const address = `${local.join('')}@${domain.join('')}`;
        expect(EMAIL_PATTERN.test(address)).toBe(ZOHO_DOCUMENTED.test(address));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    'ada@example.com',
    'ada.lovelace+quotes@example.co.uk',
    'äda@beispiel.de',
    '用户@例子.广告',
    "o'brien@example.ie",
    'a_b-c@sub-domain.example.museum',
    'a@b--c__d.ee',
  ])('accepts %j', (address) => {
    expect(EMAIL_PATTERN.test(address)).toBe(true);
  });

  it.each([
    'plainaddress',
    'ada@example',
    'ada@@example.com',
    '@example.com',
    '.ada@example.com',
    'ada@.example.com',
    'ada@example..com',
    'ada@-example.com',
    'ada@example-.com',
    'ada@example.c',
    'ada@example.123',
    'ada @example.com',
    'ada@[127.0.0.1]',
    `a@${'b'.repeat(20)}.${'c'.repeat(23)}`,
  ])('refuses %j', (address) => {
    expect(EMAIL_PATTERN.test(address)).toBe(false);
  });
});

describe('isEmail', () => {
  it(`holds at most ${EMAIL_MAX} characters`, () => {
    const at = (n: number) => `${'a'.repeat(n - '@example.com'.length)}@example.com`;
    expect(isEmail(at(EMAIL_MAX))).toBe(true);
    expect(isEmail(at(EMAIL_MAX + 1))).toBe(false);
  });
});

describe('canonicalEmail and normalizeEmail', () => {
  it('trims, composes (NFC) and lower-cases', () => {
    expect(canonicalEmail('  Jane.Doe@Example.COM ')).toBe('jane.doe@example.com');
    expect(canonicalEmail('JOSE\u0301@EXA\u0308MPLE.COM')).toBe('josé@exämple.com');
    expect(normalizeEmail('  Jane.Doe@Example.COM ')).toBe('jane.doe@example.com');
    expect(normalizeEmail('Jörg@Bücher.de')).toBe('jörg@bücher.de');
  });

  it.each([null, undefined, '', '   ', 'not-an-email', 'a@b', 'a@b.c', 'jane@exa mple.com', `${'a'.repeat(95)}@b.com`])(
    'gives null for %j',
    (value) => {
      expect(normalizeEmail(value)).toBeNull();
    },
  );

  it('checks the length of what is stored: a letter that grows when lower-cased counts grown', () => {
    const address = `${'İ'.repeat(50)}@ab.cd`; // 56 typed, 106 once lower-cased
    expect(address.length).toBeLessThanOrEqual(EMAIL_MAX);
    expect(normalizeEmail(address)).toBeNull();
  });
});
