import { describe, expect, it } from '@jest/globals';
import { DbConflictError, DbQueryError, DbUnavailableError, retryRowsAlone } from './errors.js';
import { groupCommit } from './group-commit.js';

/** A `send` whose calls stay open until the test answers them. */
function controlledSend() {
  type Settled = PromiseSettledResult<string>;
  const calls: { items: number[]; answer: (results: Settled[]) => void; fail: (err: Error) => void }[] = [];
  const load = { open: 0, mostOpen: 0 };
  const send = (items: number[]) =>
    new Promise<Settled[]>((answer, fail) => {
      load.mostOpen = Math.max(load.mostOpen, ++load.open);
      calls.push({ items, answer, fail });
    }).finally(() => load.open--);
  const ok = (value: string): Settled => ({ status: 'fulfilled', value });
  const echo = (i: number) => calls[i]!.answer(calls[i]!.items.map((n) => ok(`r${n}`)));
  return { calls, send, echo, ok, load };
}

/** Group-commit tuning; room for every waiting item unless a test is about the bound. */
const tuning = (maxBatch: number, maxInFlight: number, maxWaiting = 1000) => ({ maxBatch, maxInFlight, maxWaiting });

const settle = () => new Promise((r) => setImmediate(r));

describe('groupCommit', () => {
  it('sends a lone item at once, in a call of its own', async () => {
    const { calls, send, echo } = controlledSend();
    const submit = groupCommit(send, tuning(10, 1));
    const result = submit(1);
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    echo(0);
    await expect(result).resolves.toBe('r1');
  });

  it('sends what arrives while calls are out together, in order, once one comes back', async () => {
    const { calls, send, echo } = controlledSend();
    const submit = groupCommit(send, tuning(10, 2));
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
    const submit = groupCommit(send, tuning(3, 1));
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
    const submit = groupCommit(send, tuning(10, 1));
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
    const submit = groupCommit(send, tuning(10, 1));
    submit(0).catch(() => {});
    const waiting = [submit(1), submit(2)];
    calls[0]!.answer([ok('r0')]);
    await settle();
    calls[1]!.answer([ok('only one')]);
    await expect(Promise.all(waiting)).rejects.toThrow('1 results for 2 items');
  });

  it('fails an item alone when send says so', async () => {
    const { calls, send, ok } = controlledSend();
    const submit = groupCommit(send, tuning(10, 1));
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
      tuning(10, 1),
    );
    await expect(submit(1)).rejects.toThrow('bad input');
  });

  it('sends each item of a call that failed for one of its items again alone, within maxInFlight', async () => {
    const { calls, send, echo, load } = controlledSend();
    const submit = groupCommit(send, tuning(10, 1), { retryAlone: retryRowsAlone });
    const results = [1, 2, 3, 4].map((n) => submit(n).catch((err: Error) => err));
    echo(0);
    await settle();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]);
    // a check constraint said no: Postgres rolled the call back, so nothing of it was stored
    calls[1]!.fail(new DbQueryError('store leads: violates check constraint (23514)', 400, '23514'));
    for (let i = 2; i < 5; i++) {
      await settle();
      // one call at a time, as before: the fallback never sends the batch as a burst
      expect(calls).toHaveLength(i + 1);
      if (i === 3) calls[i]!.fail(new DbQueryError('store lead: violates check constraint (23514)', 400, '23514'));
      else echo(i);
    }
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
    expect(load.mostOpen).toBe(1);
    const [r1, r2, r3, r4] = await Promise.all(results);
    expect([r1, r2, r4]).toEqual(['r1', 'r2', 'r4']);
    // alone, the item's own error is its answer; it is not sent again
    expect(r3).toBeInstanceOf(DbQueryError);
  });

  it('fails every item of a call that failed for no one item, and sends none of them again', async () => {
    for (const err of [
      new DbUnavailableError('store leads: too many connections (53300)', 503, '53300'),
      new DbUnavailableError('store leads: canceling statement due to statement timeout (57014)', 503, '57014'),
      new DbUnavailableError('store leads: fetch failed', 0, undefined),
    ]) {
      const { calls, send, echo } = controlledSend();
      const submit = groupCommit(send, tuning(10, 2), { retryAlone: retryRowsAlone });
      const results = [1, 2, 3, 4, 5].map((n) => submit(n).catch((e: Error) => e));
      echo(0);
      await settle();
      calls[2]!.fail(err);
      await settle();
      // re-sending them one by one would multiply the load on a database already short of it
      expect(calls.map((c) => c.items)).toEqual([[1], [2], [3, 4, 5]]);
      echo(1);
      expect(await Promise.all(results)).toEqual(['r1', 'r2', err, err, err]);
    }
  });

  it('refuses an item at once while maxWaiting items wait, and takes items again once they left', async () => {
    const { calls, send, echo } = controlledSend();
    const full = new DbUnavailableError('store lead: too many leads waiting', 503, undefined);
    const submit = groupCommit(send, tuning(10, 1, 2), { retryAlone: retryRowsAlone, refuse: () => full });
    const inFlight = submit(1);
    const waiting = [submit(2), submit(3)];
    await expect(submit(4)).rejects.toBe(full);
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    echo(0);
    await settle();
    // 2 and 3 left together: the queue has room again
    const later = submit(5);
    echo(1);
    await settle();
    echo(2);
    await expect(Promise.all([inFlight, ...waiting, later])).resolves.toEqual(['r1', 'r2', 'r3', 'r5']);
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3], [5]]);
  });

  it('counts items waiting to go again alone against the bound', async () => {
    const { calls, send, echo } = controlledSend();
    const submit = groupCommit(send, tuning(10, 1, 3), {
      retryAlone: retryRowsAlone,
      refuse: () => new Error('full'),
    });
    const results = [1, 2, 3, 4].map((n) => submit(n).catch((e: Error) => e.message));
    echo(0);
    await settle();
    calls[1]!.fail(new DbConflictError('store leads: duplicate key (23505)', 409, '23505'));
    await settle();
    // 2 is out alone, 3 and 4 wait to follow it: one more fits, then none
    const fits = submit(5);
    await expect(submit(6)).rejects.toThrow('full');
    for (let i = 2; i < 6; i++) {
      echo(i);
      await settle();
    }
    expect(await Promise.all([...results, fits])).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4], [2], [3], [4], [5]]);
  });
});
