import { describe, expect, it } from '@jest/globals';
import { groupCommit } from './group-commit.js';

/** A `send` whose calls stay open until the test answers them. */
function controlledSend() {
  type Settled = PromiseSettledResult<string>;
  const calls: { items: number[]; answer: (results: Settled[]) => void; fail: (err: Error) => void }[] = [];
  const send = (items: number[]) =>
    new Promise<Settled[]>((answer, fail) => {
      calls.push({ items, answer, fail });
    });
  const ok = (value: string): Settled => ({ status: 'fulfilled', value });
  const echo = (i: number) => calls[i]!.answer(calls[i]!.items.map((n) => ok(`r${n}`)));
  return { calls, send, echo, ok };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('groupCommit', () => {
  it('sends a lone item at once, in a call of its own', async () => {
    const { calls, send, echo } = controlledSend();
    const submit = groupCommit(send, { maxBatch: 10, maxInFlight: 1 });
    const result = submit(1);
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    echo(0);
    await expect(result).resolves.toBe('r1');
  });

  it('sends what arrives while calls are out together, in order, once one comes back', async () => {
    const { calls, send, echo } = controlledSend();
    const submit = groupCommit(send, { maxBatch: 10, maxInFlight: 2 });
    const results = [1, 2, 3, 4, 5].map(submit);
    // two calls may be out: 1 and 2 leave alone, 3–5 wait
    expect(calls.map((c) => c.items)).toEqual([[1], [2]]);
    echo(1);
    await settle();
    expect(calls.map((c) => c.items)).toEqual([[1], [2], [3, 4, 5]]);
    echo(0);
    echo(2);
    await expect(Promise.all(results)).resolves.toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('never puts more than maxBatch items in one call', async () => {
    const { calls, send, echo } = controlledSend();
    const submit = groupCommit(send, { maxBatch: 3, maxInFlight: 1 });
    const results = Array.from({ length: 8 }, (_, i) => submit(i));
    for (let i = 0; i < 4; i++) {
      echo(i);
      await settle();
    }
    expect(calls.map((c) => c.items)).toEqual([[0], [1, 2, 3], [4, 5, 6], [7]]);
    await expect(Promise.all(results)).resolves.toHaveLength(8);
  });

  it('fails only the items of the call that failed, and keeps going', async () => {
    const { calls, send, echo } = controlledSend();
    const submit = groupCommit(send, { maxBatch: 10, maxInFlight: 1 });
    const first = submit(1);
    const second = [submit(2), submit(3)];
    calls[0]!.fail(new Error('gateway down'));
    await expect(first).rejects.toThrow('gateway down');
    await settle();
    echo(1);
    await expect(Promise.all(second)).resolves.toEqual(['r2', 'r3']);
  });

  it('rejects a call that answered for the wrong number of items instead of mismatching answers', async () => {
    const { calls, send, ok } = controlledSend();
    const submit = groupCommit(send, { maxBatch: 10, maxInFlight: 1 });
    submit(0).catch(() => {});
    const waiting = [submit(1), submit(2)];
    calls[0]!.answer([ok('r0')]);
    await settle();
    calls[1]!.answer([ok('only one')]);
    await expect(Promise.all(waiting)).rejects.toThrow('1 results for 2 items');
  });

  it('fails an item alone when send says so', async () => {
    const { calls, send, ok } = controlledSend();
    const submit = groupCommit(send, { maxBatch: 10, maxInFlight: 1 });
    const results = [submit(1), submit(2)];
    calls[0]!.answer([ok('r1')]);
    await settle();
    calls[1]!.answer([{ status: 'rejected', reason: new Error('refused') }]);
    await expect(results[0]).resolves.toBe('r1');
    await expect(results[1]).rejects.toThrow('refused');
  });

  it('rejects the items when send throws before returning a promise', async () => {
    const submit = groupCommit<number, string>(
      () => {
        throw new Error('bad input');
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    await expect(submit(1)).rejects.toThrow('bad input');
  });
});
