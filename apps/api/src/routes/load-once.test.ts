import { describe, expect, it } from '@jest/globals';
import { loadOnce } from './load-once.js';

describe('loadOnce', () => {
  it('loads once and keeps the value for every later call', async () => {
    let loads = 0;
    const get = loadOnce(async () => ++loads);
    expect(await Promise.all([get(), get()])).toEqual([1, 1]);
    expect(await get()).toBe(1);
    expect(loads).toBe(1);
  });

  it('does not keep a failure: the next call loads again', async () => {
    let loads = 0;
    const get = loadOnce(async () => {
      loads += 1;
      if (loads === 1) throw new Error('module not found');
      return 'board';
    });
    await expect(get()).rejects.toThrow('module not found');
    expect(await get()).toBe('board');
    expect(loads).toBe(2);
  });
});
