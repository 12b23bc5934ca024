import { classifyAnswer, type FieldIssue, type Verdict } from './answer.js';
import { type BackoffPolicy, DEFAULT_BACKOFF, retryDelay } from './backoff.js';
import { type Captcha, expiredCaptcha, withToken } from './captcha.js';
import { newIdempotencyKey } from './key.js';
import type { Outbox, Submission } from './outbox.js';

/** How a submission ended, as far as the visitor is concerned. */
export type Outcome =
  | { status: 'sent'; id: string }
  /** Kept in the outbox; it will be sent later (the settle listener hears when). */
  | { status: 'queued'; reason: string }
  | { status: 'rejected'; error: string; issues: FieldIssue[] };

export interface SenderDeps {
  outbox: Outbox;
  fetch: typeof fetch;
  now: () => number;
  random?: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (timer: unknown) => void;
  backoff?: BackoffPolicy;
  /** One attempt may take this long before it counts as failed (and is retried). */
  timeoutMs?: number;
  /** A fresh token from the page's captcha widget; undefined when this page has none to give. */
  freshToken?: (captcha: Captcha) => Promise<string | undefined>;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const KEEPALIVE_MAX = 60_000;

/**
 * Sends submissions exactly once as far as the API is concerned: each is written to the outbox
 * with its Idempotency-Key before the first attempt, and leaves it only when the API answered
 * 2xx (stored) or a 4xx that repeating cannot fix.
 */
export class Sender {
  private readonly inFlight = new Set<string>();
  /** Who wants to hear how a queued submission of this page finally ends (a form still on screen). */
  private readonly listeners = new Map<string, (outcome: Outcome) => void>();
  private timer: unknown;

  constructor(private readonly deps: SenderDeps) {}

  /**
   * Creates a submission and makes its first attempt; resolves with what the visitor can be told
   * now. When that is 'queued', `later` hears the final outcome if it comes while the page is open.
   */
  async submit(url: string, body: Record<string, unknown>, later?: (outcome: Outcome) => void): Promise<Outcome> {
    const now = this.deps.now();
    const submission: Submission = { key: newIdempotencyKey(), url, body, createdAt: now, failures: 0, nextAt: now };
    this.deps.outbox.put(submission);
    const outcome = await this.attempt(submission);
    if (outcome.status === 'queued' && later) this.listeners.set(submission.key, later);
    return outcome;
  }

  /** Sends everything due (on page load, when the browser is back online, when a timer fires). */
  async flush(): Promise<void> {
    const due = this.deps.outbox.due(this.deps.now()).filter((s) => !this.inFlight.has(s.key));
    await Promise.all(due.map((s) => this.attempt(s)));
    this.schedule();
  }

  /** Back online: no reason to sit out the rest of a backoff. */
  async resume(): Promise<void> {
    this.deps.outbox.makeAllDue(this.deps.now());
    await this.flush();
  }

  private async attempt(queued: Submission): Promise<Outcome> {
    this.inFlight.add(queued.key);
    let submission = queued;
    let verdict: Verdict;
    try {
      // no await unless a token must be renewed: a first attempt starts its fetch at once,
      // before a page that navigates away right after "Send" is gone
      const expired = expiredCaptcha(queued, this.deps.now());
      const ready = expired ? await this.renewed(queued, expired) : queued;
      submission = ready ?? queued;
      verdict = ready ? await this.post(ready) : { kind: 'retry', reason: 'captcha token expired' };
    } finally {
      this.inFlight.delete(queued.key);
    }
    const outcome = this.settle(submission, verdict);
    if (outcome.status !== 'queued') {
      this.listeners.get(submission.key)?.(outcome);
      this.listeners.delete(submission.key);
    }
    this.schedule();
    return outcome;
  }

  /**
   * The API refuses an expired captcha token (accepting one would let anyone replay it), so one
   * is replaced by the page's widget before the submission goes again; undefined while no widget
   * can, and the submission stays queued for a page that has one rather than be held as spam.
   */
  private async renewed(s: Submission, captcha: Captcha): Promise<Submission | undefined> {
    const token = await this.deps.freshToken?.(captcha);
    if (!token) return undefined;
    const renewed = withToken(s, captcha, token, this.deps.now());
    this.deps.outbox.put(renewed);
    return renewed;
  }

  private async post(s: Submission): Promise<Verdict> {
    const abort = new AbortController();
    const timer = this.deps.setTimer(() => abort.abort(), this.deps.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const body = JSON.stringify(s.body);
    try {
      const res = await this.deps.fetch(s.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': s.key },
        body,
        signal: abort.signal,
        // lets the request outlive a page that navigates away right after "Send"; browsers cap
        // keepalive bodies at 64 KB, and a bigger one would fail on every attempt
        keepalive: body.length < KEEPALIVE_MAX,
        credentials: 'omit',
      });
      const answer = await res.json().catch(() => null);
      return classifyAnswer(res.status, answer, res.headers.get('retry-after'), this.deps.now());
    } catch (err) {
      // offline, DNS, a refused connection, a CORS refusal, a timeout: the browser cannot tell
      // them apart either, and all of them deserve another try with the same key
      const name = (err as { name?: unknown } | null)?.name;
      return { kind: 'retry', reason: typeof name === 'string' ? name : 'network error' };
    } finally {
      this.deps.clearTimer(timer);
    }
  }

  private settle(s: Submission, verdict: Verdict): Outcome {
    switch (verdict.kind) {
      case 'accepted':
        this.deps.outbox.remove(s.key);
        return { status: 'sent', id: verdict.id };
      case 'rejected':
        this.deps.outbox.remove(s.key);
        return { status: 'rejected', error: verdict.error, issues: verdict.issues };
      case 'retry': {
        const failures = s.failures + 1;
        const wait = retryDelay(failures, this.deps.backoff ?? DEFAULT_BACKOFF, this.deps.random, verdict.retryAfterMs);
        this.deps.outbox.put({ ...s, failures, nextAt: this.deps.now() + wait });
        return { status: 'queued', reason: verdict.reason };
      }
    }
  }

  /** One timer for the earliest due submission, whichever tab created it. */
  private schedule(): void {
    this.deps.clearTimer(this.timer);
    const at = this.deps.outbox.nextDueAt(this.inFlight);
    if (at === undefined) return;
    this.timer = this.deps.setTimer(() => void this.flush(), Math.max(0, at - this.deps.now()));
  }
}
