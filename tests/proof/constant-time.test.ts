import * as crypto from 'node:crypto';
import { describe, expect, it, jest } from '@jest/globals';

// The admin secret must be compared in constant time: every comparison goes through
// crypto.timingSafeEqual, over equal-length SHA-256 digests, whatever the length presented.
// (Review note: admin-auth.ts hashes both sides first, so the compare neither throws on a length
// mismatch nor returns early on one, and the length of the secret does not leak. Timing itself is
// not measured here: on a shared CI machine that would be noise, not proof.)
const calls: Array<[number, number]> = [];
jest.unstable_mockModule('node:crypto', () => ({
  ...crypto,
  default: crypto,
  timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
    calls.push([a.byteLength, b.byteLength]);
    return crypto.timingSafeEqual(a, b);
  },
}));
const { requireAdmin } = await import('../../apps/api/src/middleware/admin-auth.js');

const SECRET = 'a-cron-secret-of-32-characters!!';

function run(authorization: string | undefined): number {
  const guard = requireAdmin(SECRET);
  let status = 0;
  const res = {
    set: () => res,
    status: (s: number) => {
      status = s;
      return res;
    },
    json: () => res,
    send: () => res,
    end: () => res,
    setHeader: () => res,
    type: () => res,
  };
  const req = { get: (name: string) => (name.toLowerCase() === 'authorization' ? authorization : undefined) };
  // biome-ignore lint/suspicious/noExplicitAny: a minimal Express request/response for the guard
  guard(req as any, res as any, () => {
    status = 200;
  });
  return status;
}

describe('the admin secret comparison', () => {
  it.each([
    ['the secret', `Bearer ${SECRET}`, 200],
    ['an empty bearer', 'Bearer x', 401],
    ['a one-character secret', 'Bearer a', 401],
    ['a prefix', `Bearer ${SECRET.slice(0, -1)}`, 401],
    ['the same length, last character wrong', `Bearer ${SECRET.slice(0, -1)}?`, 401],
    ['the same length, first character wrong', `Bearer ?${SECRET.slice(1)}`, 401],
    ['the secret plus one', `Bearer ${SECRET}!`, 401],
    ['a 10 kB secret', `Bearer ${'s'.repeat(10_000)}`, 401],
    ['basic auth with the secret', `Basic ${Buffer.from(`u:${SECRET}`).toString('base64')}`, 200],
  ])('compares %s through timingSafeEqual over 32-byte digests', (_label, header, expected) => {
    calls.length = 0;
    expect(run(header)).toBe(expected);
    expect(calls).toEqual([[32, 32]]);
  });

  it('answers a request without credentials without comparing anything', () => {
    calls.length = 0;
    expect(run(undefined)).toBe(401);
    expect(calls).toEqual([]);
  });
});
