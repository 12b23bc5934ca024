/** A submission the API has not acknowledged yet, with everything needed to send it again. */
export interface Submission {
  /** The Idempotency-Key, fixed when the submission is created: every retry is the same request. */
  key: string;
  url: string;
  body: Record<string, unknown>;
  createdAt: number;
  /** When the embed last put a fresh captcha token in `body` (undefined: the form's own, from Send). */
  tokenAt?: number;
  failures: number;
  /** Not before this time (ms since the epoch). */
  nextAt: number;
}

export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

export const OUTBOX_STORAGE_KEY = 'leadsync:outbox';

const isSubmission = (v: unknown): v is Submission => {
  const s = v as Submission | null;
  return (
    typeof s?.key === 'string' &&
    typeof s.url === 'string' &&
    typeof s.body === 'object' &&
    s.body !== null &&
    typeof s.nextAt === 'number' &&
    typeof s.failures === 'number'
  );
};

/**
 * The unacknowledged submissions, kept in localStorage so a reload, a closed tab or a crash does
 * not lose them. Read on every call, never cached: other tabs of the same site share the list.
 * When storage is unavailable (blocked cookies, a full quota) it keeps working in memory, so a
 * submission still retries for as long as the page stays open.
 */
export class Outbox {
  private memory: Submission[] = [];

  constructor(private store: KeyValueStore | null) {}

  list(): Submission[] {
    if (!this.store) return [...this.memory];
    try {
      const raw = this.store.getItem(OUTBOX_STORAGE_KEY);
      if (raw == null) return [];
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter(isSubmission) : [];
    } catch {
      return [...this.memory];
    }
  }

  put(submission: Submission): void {
    this.write([...this.list().filter((s) => s.key !== submission.key), submission]);
  }

  remove(key: string): void {
    this.write(this.list().filter((s) => s.key !== key));
  }

  /** Due now, oldest first. */
  due(now: number): Submission[] {
    return this.list()
      .filter((s) => s.nextAt <= now)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /** When the earliest waiting submission (other than `skip`) falls due; undefined when there is none. */
  nextDueAt(skip: ReadonlySet<string> = new Set()): number | undefined {
    const times = this.list()
      .filter((s) => !skip.has(s.key))
      .map((s) => s.nextAt);
    return times.length ? Math.min(...times) : undefined;
  }

  /** Back online: everything is due now, whatever its backoff said. */
  makeAllDue(now: number): void {
    this.write(this.list().map((s) => ({ ...s, nextAt: Math.min(s.nextAt, now) })));
  }

  private write(list: Submission[]): void {
    this.memory = list;
    try {
      this.store?.setItem(OUTBOX_STORAGE_KEY, JSON.stringify(list));
    } catch {
      // quota or privacy mode: from now on the in-memory copy is the list, retried while the page is open
      this.store = null;
    }
  }
}
