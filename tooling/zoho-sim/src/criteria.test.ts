import { describe, expect, it } from '@jest/globals';
import { matchesCriteria, parseCriteria } from './criteria.js';

const lead = { Email: 'p.boyle@abc.example', Company: 'ABC Inc', Last_Name: 'Boyle', No_of_Employees: 42, Phone: null };

describe('parseCriteria', () => {
  it('parses single conditions, junctions and escaped values', () => {
    expect(parseCriteria('(Email:equals:a@b.cd)')).toEqual({
      kind: 'condition',
      field: 'Email',
      operator: 'equals',
      values: ['a@b.cd'],
    });
    const nested = parseCriteria('((Last_Name:starts_with:Bo)and(Company:equals:ABC\\, Inc))');
    expect(nested).toMatchObject({ kind: 'and', right: { values: ['ABC, Inc'] } });
    expect(parseCriteria('((A:equals:1)or(B:equals:2)or(C:in:3,4))')).toMatchObject({ kind: 'or' });
  });
  it('rejects malformed input and more than 10 conditions', () => {
    for (const bad of ['Email:equals:x', '(Email:like:x)', '(Email:equals:)', '((A:equals:1)xor(B:equals:2))', '(A)']) {
      expect(() => parseCriteria(bad)).toThrow();
    }
    const eleven = Array.from({ length: 11 }, (_, i) => `(F${i}:equals:x)`).join('and');
    expect(() => parseCriteria(`(${eleven})`)).toThrow(/more than 10/);
  });
});

describe('matchesCriteria', () => {
  it('treats equals as "contains", as Zoho documents for the Search API', () => {
    expect(matchesCriteria(lead, parseCriteria('(Company:equals:abc)'))).toBe(true);
    expect(matchesCriteria(lead, parseCriteria('(Company:equals:xyz)'))).toBe(false);
  });
  it('supports the other operators', () => {
    expect(matchesCriteria(lead, parseCriteria('(Last_Name:starts_with:bo)'))).toBe(true);
    expect(matchesCriteria(lead, parseCriteria('(Last_Name:in:Smith,Boyle)'))).toBe(true);
    expect(matchesCriteria(lead, parseCriteria('(Last_Name:not_equal:Smith)'))).toBe(true);
    expect(matchesCriteria(lead, parseCriteria('(No_of_Employees:greater_than:41)'))).toBe(true);
    expect(matchesCriteria(lead, parseCriteria('(No_of_Employees:between:1,10)'))).toBe(false);
    expect(matchesCriteria(lead, parseCriteria('(Phone:equals:1)'))).toBe(false);
    expect(matchesCriteria(lead, parseCriteria('((Last_Name:equals:x)or(Email:equals:boyle@))'))).toBe(true);
    expect(matchesCriteria(lead, parseCriteria('((Last_Name:equals:x)and(Email:equals:boyle@))'))).toBe(false);
  });
});
