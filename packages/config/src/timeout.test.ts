import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { withTimeout } from './timeout.js';

// Fake timers: the tests decide when the deadline passes, so none of them waits or depends on load.
beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

const later = <T>() => {
  let settle!: { resolve: (v: T) => void; reject: (e: unknown) => void };
  const promise = new Promise<T>((resolve, reject) => {
    settle = { resolve, reject };
  });
  return { promise, ...settle };
};

describe('withTimeout', () => {
  it('answers with the work when it settles in time, and clears its timer', async () => {
    const onTimeout = jest.fn(() => 'late');
    await expect(withTimeout(Promise.resolve('done'), 1000, onTimeout)).resolves.toBe('done');
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(2000);
    expect(onTimeout).not.toHaveBeenCalled();
  });

  it("passes the work's failure on, and clears its timer", async () => {
    await expect(withTimeout(Promise.reject(new Error('boom')), 1000, () => 'late')).rejects.toThrow('boom');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('waits the whole time for the work', async () => {
    const work = later<string>();
    const onTimeout = jest.fn(() => 'gave up');
    const answer = withTimeout(work.promise, 1000, onTimeout);
    jest.advanceTimersByTime(999);
    work.resolve('just in time');
    await expect(answer).resolves.toBe('just in time');
    expect(onTimeout).not.toHaveBeenCalled();
  });

  it('answers with what onTimeout returns once the time is up, and not with a later answer', async () => {
    const work = later<string>();
    const answer = withTimeout(work.promise, 1000, () => 'gave up');
    jest.advanceTimersByTime(1000);
    work.resolve('too late');
    await expect(answer).resolves.toBe('gave up');
  });

  it('rejects with what onTimeout throws, by default "timed out after {ms} ms"', async () => {
    const custom = withTimeout(later().promise, 50, () => {
      throw new Error('enqueue timed out');
    });
    const plain = withTimeout(later().promise, 50);
    jest.advanceTimersByTime(50);
    await expect(custom).rejects.toThrow('enqueue timed out');
    await expect(plain).rejects.toThrow('timed out after 50 ms');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does not leave a late rejection of the work unhandled', async () => {
    const work = later<string>();
    const answer = withTimeout(work.promise, 10, () => 'gave up');
    jest.advanceTimersByTime(10);
    await expect(answer).resolves.toBe('gave up');
    work.reject(new Error('late failure')); // jest fails the file on an unhandled rejection
    await Promise.resolve();
  });
});
