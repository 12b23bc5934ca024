import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type IsolatedStack, startIsolatedStack, waitFor, withClient } from '@leadsync/local-stack';
import { UNAVAILABLE_RETRY_AFTER_S } from '../middleware/errors.js';
import { type Answer, countLeads, postJson, startTestApi, type TestApi } from '../testing/harness.js';

let stack: IsolatedStack;
let api: TestApi;

beforeAll(async () => {
  stack = await startIsolatedStack('api-intake-overload');
  // one lead may wait while intake's one database call is out; the next is refused
  api = await startTestApi(stack, { INTAKE_MAX_WAITING: '1' });
});
afterAll(async () => {
  await api?.stop();
  await stack?.teardown();
});

const storeLead = () =>
  postJson(`${api.url}/api/store-lead`, { name: 'Ada Lovelace', email: `ada.${randomUUID().slice(0, 8)}@example.com` });

/** Holds a lock that makes every insert into leads wait, until `release` is called. */
async function stallInserts() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const holder = withClient(stack.databaseUrl, async (c) => {
    await c.query('begin');
    await c.query('lock table public.leads in share mode');
    locked();
    await released;
    await c.query('commit');
  });
  await isLocked;
  const insertsWaiting = async () =>
    (
      await withClient(stack.databaseUrl, (c) =>
        c.query(`select count(*)::int as n from pg_locks where relation = 'public.leads'::regclass and not granted`),
      )
    ).rows[0].n as number;
  return {
    insertsWaiting,
    release: async () => {
      release();
      await holder;
    },
  };
}

describe('intake under overload', () => {
  it('answers 503 with Retry-After once the leads waiting for the database reach INTAKE_MAX_WAITING', async () => {
    const before = await countLeads(stack);
    const stall = await stallInserts();
    let answers: Promise<Answer>[] = [];
    try {
      // the first lead's call is out, stuck behind the lock
      answers.push(storeLead());
      await waitFor(async () => (await stall.insertsWaiting()) === 1, "the first lead's insert to wait");
      // of two more, one waits for the next call and the other is refused at once
      answers = [...answers, storeLead(), storeLead()];
      // a refusal is immediate; the guard stays well under the database client's 10 s timeout
      let timer: NodeJS.Timeout | undefined;
      const first = await Promise.race([
        ...answers,
        new Promise<'none'>((resolve) => {
          timer = setTimeout(() => resolve('none'), 5000);
        }),
      ]);
      clearTimeout(timer);
      expect(first === 'none' ? 'no answer while the database stalled' : first.status).toBe(503);
      const refused = first as Answer;
      expect(refused.headers.get('retry-after')).toBe(String(UNAVAILABLE_RETRY_AFTER_S));
      expect(refused.body).toEqual({ error: 'unavailable', message: expect.any(String) });
    } finally {
      await stall.release();
    }
    const statuses = (await Promise.all(answers)).map((a) => a.status).sort();
    expect(statuses).toEqual([202, 202, 503]);
    // the refused lead was not stored: its client retries it
    expect(await countLeads(stack)).toBe(before + 2);
    // and with the database keeping up again, nothing is refused
    expect((await storeLead()).status).toBe(202);
  });
});
