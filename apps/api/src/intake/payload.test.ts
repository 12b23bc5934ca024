import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { canonicalJson, fingerprint, MAX_PAYLOAD_DEPTH, unstorableIssues } from './payload.js';

describe('canonicalJson and fingerprint', () => {
  it('ignores key order at every level', () => {
    const a = { b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'x' } };
    const b = { a: { c: 'x', d: [1, { x: 1, y: 2 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(fingerprint(a)).toBe(fingerprint(b));
  });

  it('tells different bodies apart, including array order and value types', () => {
    expect(fingerprint({ a: [1, 2] })).not.toBe(fingerprint({ a: [2, 1] }));
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: '1' }));
    expect(fingerprint({ a: null })).not.toBe(fingerprint({}));
  });

  it('is JSON that parses back to the same value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('keeps a __proto__ key as data', () => {
    const body = JSON.parse('{"__proto__": {"x": 1}, "a": 1}');
    expect(canonicalJson(body)).toBe('{"__proto__":{"x":1},"a":1}');
  });
});

describe('unstorableIssues', () => {
  it('accepts ordinary nested data', () => {
    expect(unstorableIssues({ a: [{ b: 'ok', c: 1, d: null, e: true }] })).toEqual([]);
  });

  it(`refuses nesting deeper than ${MAX_PAYLOAD_DEPTH} levels`, () => {
    const nest = (n: number) => {
      let v: unknown = 'leaf';
      for (let i = 0; i < n; i++) v = { v };
      return v as Record<string, unknown>;
    };
    expect(unstorableIssues(nest(MAX_PAYLOAD_DEPTH))).toEqual([]);
    expect(unstorableIssues(nest(MAX_PAYLOAD_DEPTH + 1))).toHaveLength(1);
  });

  it('names each string Postgres would refuse', () => {
    expect(unstorableIssues({ a: 'x\u0000', b: ['fine', '\ud800'], c: { d: '\udfff' }, e: '😀' })).toEqual([
      { path: 'a', message: expect.any(String) },
      { path: 'b.1', message: expect.any(String) },
      { path: 'c.d', message: expect.any(String) },
    ]);
  });
});
