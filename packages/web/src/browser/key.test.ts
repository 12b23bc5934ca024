import { describe, expect, it } from '@jest/globals';
import { newIdempotencyKey } from './key.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newIdempotencyKey', () => {
  it('uses randomUUID where the page has it', () => {
    expect(newIdempotencyKey({ randomUUID: () => 'u', getRandomValues: (a) => a })).toBe('u');
  });

  it('builds a v4 UUID from getRandomValues on a plain-http page', () => {
    const fill = <T extends ArrayBufferView | null>(a: T): T => {
      new Uint8Array((a as unknown as Uint8Array).buffer).fill(0xff);
      return a;
    };
    const key = newIdempotencyKey({ getRandomValues: fill });
    expect(key).toMatch(UUID_V4);
    expect(newIdempotencyKey({ getRandomValues: (a) => a })).toMatch(UUID_V4);
  });
});
