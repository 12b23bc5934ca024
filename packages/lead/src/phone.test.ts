import { describe, expect, it } from '@jest/globals';
import { isZohoPhone } from '@leadsync/zoho-sim';
import fc from 'fast-check';
import {
  canonicalPhone,
  isPhone,
  normalizePhone,
  PHONE_MAX,
  PHONE_MIN_DIGITS,
  PHONE_TYPED,
  PHONE_TYPED_MAX,
  phoneDigits,
  preparePhone,
} from './phone.js';

describe('normalizePhone', () => {
  it.each([
    ['(030) 123-45 67', '0301234567'],
    ['030 1234567', '0301234567'],
    ['+49 30 1234567', '+49301234567'],
    ['0049 30 1234567', '+49301234567'],
    ['+44 20 7946 0000', '+442079460000'],
    ['555.010.0199', '5550100199'],
    ['＋８１ ３-１２３４-５６７８', '+81312345678'],
    ['+1\u00a0555\u00a00100', '+15550100'],
    ['  12345 ', '12345'],
    [`+${'1'.repeat(29)}`, `+${'1'.repeat(29)}`],
    [`00${'1'.repeat(29)}`, `+${'1'.repeat(29)}`],
  ])('%j → %j', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each([
    ['nothing', null],
    ['nothing', undefined],
    ['nothing', ''],
    ['blanks', '   '],
    ['letters', 'call me'],
    ['an extension', '+1 (555) 123-4567 ext. 89'],
    ['an x extension', '555.123.4567 x12'],
    ['a # extension', '555 0100 #12'],
    ['too few digits', '12-34'],
    ['too few digits after the 00 prefix', '00 1234'],
    ['a plus inside', '44+20 7946'],
    ['two pluses', '++44 20'],
    ['a slash', '555/0100'],
    ['Arabic-Indic digits', '٠١٢٣٤٥٦٧٨'],
    ['more than 30 characters without separators', `+${'1'.repeat(30)}`],
    ['more than 30 digits (never cut to a wrong number)', '1'.repeat(40)],
    ['more than 40 characters typed', `${'1 '.repeat(20)}1`],
    ['an emoji', '📞 5550100'],
  ])('gives null for %s (%j)', (_what, input) => {
    expect(normalizePhone(input)).toBeNull();
  });

  it('gives what Zoho’s Phone field takes, in a form it already has (property)', () => {
    const typed = fc.string({ unit: fc.constantFrom(...'0123456789+-(). x#/\u00a0１'.split('')), maxLength: 45 });
    fc.assert(
      fc.property(typed, (value) => {
        const phone = normalizePhone(value);
        if (phone === null) return;
        expect(phone).toMatch(/^\+?[0-9]+$/);
        // The simulated Zoho Phone field: the rule must never be looser.
        expect(isZohoPhone(phone)).toBe(true);
        expect(phoneDigits(phone)).toBeGreaterThanOrEqual(PHONE_MIN_DIGITS);
        expect(normalizePhone(phone)).toBe(phone);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the steps', () => {
  it('prepares typed text: NFKC, then trimmed', () => {
    expect(preparePhone(' ０３０ ')).toBe('030');
  });

  it('accepts as typed only digits, a leading + and separators', () => {
    expect(PHONE_TYPED.test('+49 (30) 123-45.67')).toBe(true);
    expect(PHONE_TYPED.test('49+30')).toBe(false);
    expect(PHONE_TYPED.test('030 x12')).toBe(false);
  });

  it('strips separators and writes 00 as +, keeping a + already there', () => {
    expect(canonicalPhone('(030) 123-45.67')).toBe('0301234567');
    expect(canonicalPhone('0049 30')).toBe('+4930');
    expect(canonicalPhone('+0049')).toBe('+0049');
  });

  it(`holds at most ${PHONE_MAX} characters and at least ${PHONE_MIN_DIGITS} digits`, () => {
    expect(isPhone('1'.repeat(PHONE_MAX))).toBe(true);
    expect(isPhone('1'.repeat(PHONE_MAX + 1))).toBe(false);
    expect(isPhone(`+${'1'.repeat(PHONE_MAX - 1)}`)).toBe(true);
    expect(isPhone('+1234')).toBe(false);
    expect(isPhone('12345')).toBe(true);
    expect(PHONE_TYPED_MAX).toBeGreaterThan(PHONE_MAX);
  });
});
