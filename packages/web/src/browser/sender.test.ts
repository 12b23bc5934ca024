import { describe, expect, it } from '@jest/globals';
import { Outbox } from './outbox.js';
import { type Outcome, Sender } from './sender.js';

/** A controllable clock and timer queue: nothing here waits for real time. */
function fakeTime() {
  let now = 1_000_000;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      timers.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimer: (id: unknown) => {
      timers.delete(id as number);
    },
    /** Moves the clock and runs every timer that falls due. */
    async advance(ms: number) {
      now += ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= now && timers.delete(id)) t.fn();
      }
      await new Promise((r) => setImmediate(r));
    },
  };
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | 'offline';

/** fetch answering from a script, recording each request's Idempotency-Key. */
function scriptedFetch(replies: Reply[]) {
  const keys: string[] = [];
  const fetchFn = (async (_url: string, init: RequestInit) => {
    keys.push(new Headers(init.headers).get('idempotency-key') ?? '');
    const reply = replies.shift() ?? { status: 202, body: { id: 'lead-1', status: 'pending' } };
    if (reply === 'offline') throw new TypeError('Failed to fetch');
    return new Response(JSON.stringify(reply.body ?? {}), {
      status: reply.status,
      headers: { 'content-type': 'application/json', ...reply.headers },
    });
  }) as typeof fetch;
  return { fetchFn, keys };
}

function setup(replies: Reply[]) {
  const time = fakeTime();
  const outbox = new Outbox(null);
  const { fetchFn, keys } = scriptedFetch(replies);
  const sender = new Sender({ outbox, fetch: fetchFn, random: () => 1, ...time });
  return { time, outbox, sender, keys };
}

const URL_ = 'https://api.example.com/api/store-lead';

describe('Sender', () => {
  it('sends once with an Idempotency-Key and forgets the submission when it is stored', async () => {
    const { sender, outbox, keys } = setup([{ status: 202, body: { id: 'lead-1' } }]);
    expect(await sender.submit(URL_, { email: 'a@example.com' })).toEqual({ status: 'sent', id: 'lead-1' });
    expect(keys).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    expect(outbox.list()).toEqual([]);
  });

  it('keeps a submission made offline and sends it with the same key when the backoff ends', async () => {
    const { sender, outbox, keys, time } = setup(['offline']);
    const later: Outcome[] = [];
    expect(await sender.submit(URL_, { email: 'a@example.com' }, (o) => later.push(o))).toMatchObject({
      status: 'queued',
    });
    expect(outbox.list()).toMatchObject([{ failures: 1, nextAt: time.now() + 1000 }]);

    await time.advance(999);
    expect(keys).toHaveLength(1);
    await time.advance(1);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(later).toEqual([{ status: 'sent', id: 'lead-1' }]);
    expect(outbox.list()).toEqual([]);
  });

  it('retries 503, 503 with growing waits and Retry-After, then succeeds with one key', async () => {
    const { sender, keys, time, outbox } = setup([
      { status: 503 },
      { status: 503, headers: { 'retry-after': '10' } },
      { status: 202, body: { id: 'lead-9' } },
    ]);
    const later: Outcome[] = [];
    await sender.submit(URL_, { email: 'a@example.com' }, (o) => later.push(o));
    await time.advance(1000); // first backoff step
    expect(keys).toHaveLength(2);
    await time.advance(9999); // Retry-After: 10 s beats the 2 s step
    expect(keys).toHaveLength(2);
    await time.advance(1);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(later).toEqual([{ status: 'sent', id: 'lead-9' }]);
    expect(outbox.list()).toEqual([]);
  });

  it('hands a 422 to the visitor and does not keep it', async () => {
    const issues = [{ path: 'email', message: 'must be a valid email address' }];
    const { sender, outbox } = setup([{ status: 422, body: { error: 'validation_failed', issues } }]);
    expect(await sender.submit(URL_, { email: 'x@' })).toEqual({
      status: 'rejected',
      error: 'validation_failed',
      issues,
    });
    expect(outbox.list()).toEqual([]);
  });

  it('sends what an earlier page left in storage when asked to flush, and does not send it twice at once', async () => {
    const time = fakeTime();
    const outbox = new Outbox(null);
    outbox.put({ key: 'k1', url: URL_, body: { email: 'a@example.com' }, createdAt: 0, failures: 3, nextAt: 0 });
    let release: (r: Response) => void = () => {};
    let calls = 0;
    const fetchFn = (() => {
      calls++;
      return new Promise<Response>((r) => {
        release = r;
      });
    }) as unknown as typeof fetch;
    const sender = new Sender({ outbox, fetch: fetchFn, ...time });
    const first = sender.flush();
    void sender.flush(); // e.g. the online event while the page-load flush is in flight
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(1);
    release(new Response('{"id":"x"}', { status: 202 }));
    await first;
    expect(outbox.list()).toEqual([]);
  });

  it('gives up on an attempt that hangs past the timeout and retries it', async () => {
    const time = fakeTime();
    const outbox = new Outbox(null);
    const fetchFn = ((_url: string, init: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      })) as typeof fetch;
    const sender = new Sender({ outbox, fetch: fetchFn, timeoutMs: 5000, random: () => 1, ...time });
    const outcome = sender.submit(URL_, { email: 'a@example.com' });
    await time.advance(5000);
    expect(await outcome).toEqual({ status: 'queued', reason: 'AbortError' });
    expect(outbox.list()).toMatchObject([{ failures: 1 }]);
  });

  it('goes at once when the browser is back online, whatever the backoff said', async () => {
    const { sender, keys, time, outbox } = setup(['offline', 'offline', 'offline']);
    await sender.submit(URL_, { email: 'a@example.com' });
    await time.advance(1000);
    await time.advance(2000);
    expect(outbox.list()).toMatchObject([{ failures: 3, nextAt: time.now() + 4000 }]);
    await sender.resume();
    expect(keys).toHaveLength(4);
    expect(outbox.list()).toEqual([]);
  });

  it('renews an expired captcha token from the page before sending again, and keeps it while it cannot', async () => {
    const time = fakeTime();
    const outbox = new Outbox(null);
    const sent: Array<{ key: string | null; token: unknown }> = [];
    const fetchFn = (async (_url: string, init: RequestInit) => {
      sent.push({
        key: new Headers(init.headers).get('idempotency-key'),
        token: JSON.parse(String(init.body))['cf-turnstile-response'],
      });
      return new Response('{"id":"lead-1"}', { status: 202 });
    }) as typeof fetch;
    let widget: string | undefined;
    const asked: string[] = [];
    const freshToken = async (captcha: { global: string }) => {
      asked.push(captcha.global);
      return widget;
    };
    const sender = new Sender({ outbox, fetch: fetchFn, random: () => 1, ...time, freshToken });
    // left by an earlier page six minutes ago, its Turnstile token now past 300 s
    outbox.put({
      key: 'k1',
      url: URL_,
      body: { email: 'a@example.com', 'cf-turnstile-response': 'first' },
      createdAt: time.now() - 6 * 60_000,
      failures: 1,
      nextAt: 0,
    });

    await sender.flush(); // a page without a widget: nothing is sent, the submission waits
    expect(asked).toEqual(['turnstile']);
    expect(sent).toEqual([]);
    expect(outbox.list()).toMatchObject([{ key: 'k1', failures: 2, body: { 'cf-turnstile-response': 'first' } }]);

    widget = 'second';
    await time.advance(2000);
    expect(sent).toEqual([{ key: 'k1', token: 'second' }]);
    expect(outbox.list()).toEqual([]);
  });

  it('sends a token within its lifetime as it is, without asking the widget', async () => {
    const time = fakeTime();
    const tokens: unknown[] = [];
    const fetchFn = (async (_url: string, init: RequestInit) => {
      tokens.push(JSON.parse(String(init.body))['cf-turnstile-response']);
      if (tokens.length === 1) throw new TypeError('Failed to fetch');
      return new Response('{"id":"lead-1"}', { status: 202 });
    }) as typeof fetch;
    const asked: unknown[] = [];
    const freshToken = async (captcha: unknown) => {
      asked.push(captcha);
      return 'fresh';
    };
    const sender = new Sender({ outbox: new Outbox(null), fetch: fetchFn, random: () => 1, ...time, freshToken });
    await sender.submit(URL_, { email: 'a@example.com', 'cf-turnstile-response': 'first' });
    await time.advance(1000);
    // the API remembers a verdict for a token it verified: the retry needs no new one
    expect(tokens).toEqual(['first', 'first']);
    expect(asked).toEqual([]);
  });
});
