import { describe, expect, it } from '@jest/globals';
import { OUTBOX_STORAGE_KEY, Outbox, type Submission } from './outbox.js';

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
}

const submission = (key: string, over: Partial<Submission> = {}): Submission => ({
  key,
  url: 'https://api.example.com/api/store-lead',
  body: { email: `${key}@example.com` },
  createdAt: 0,
  failures: 0,
  nextAt: 0,
  ...over,
});

describe('Outbox', () => {
  it('survives a reload: another Outbox over the same storage sees the same submissions', () => {
    const storage = new MemoryStorage();
    new Outbox(storage).put(submission('a'));
    expect(new Outbox(storage).list().map((s) => s.key)).toEqual(['a']);
  });

  it('replaces a submission by key and removes it', () => {
    const box = new Outbox(new MemoryStorage());
    box.put(submission('a'));
    box.put(submission('a', { failures: 2 }));
    expect(box.list()).toEqual([submission('a', { failures: 2 })]);
    box.remove('a');
    expect(box.list()).toEqual([]);
  });

  it('lists what is due, oldest first, and when the next one falls due', () => {
    const box = new Outbox(new MemoryStorage());
    box.put(submission('late', { createdAt: 2, nextAt: 500 }));
    box.put(submission('new', { createdAt: 3, nextAt: 100 }));
    box.put(submission('old', { createdAt: 1, nextAt: 50 }));
    expect(box.due(100).map((s) => s.key)).toEqual(['old', 'new']);
    expect(box.nextDueAt()).toBe(50);
    expect(box.nextDueAt(new Set(['old']))).toBe(100);
    box.makeAllDue(10);
    expect(box.due(10).map((s) => s.key)).toEqual(['old', 'late', 'new']);
  });

  it('ignores entries it does not understand (another version, a hand edit)', () => {
    const storage = new MemoryStorage();
    storage.setItem(OUTBOX_STORAGE_KEY, JSON.stringify([submission('ok'), { key: 1 }, 'x']));
    expect(new Outbox(storage).list().map((s) => s.key)).toEqual(['ok']);
    storage.setItem(OUTBOX_STORAGE_KEY, '{not json');
    expect(new Outbox(storage).list()).toEqual([]);
  });

  it('keeps working in memory when storage refuses to write (quota, privacy mode)', () => {
    const full = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    const box = new Outbox(full);
    box.put(submission('a'));
    expect(box.list().map((s) => s.key)).toEqual(['a']);
    expect(new Outbox(null).list()).toEqual([]);
  });
});
