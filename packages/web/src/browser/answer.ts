import { parseRetryAfter } from './backoff.js';

/** One bad field, as the API's 4xx body names it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** What the client does with an answer: done, try again later, or tell the visitor. */
export type Verdict =
  | { kind: 'accepted'; id: string }
  | { kind: 'retry'; retryAfterMs?: number; reason: string }
  | { kind: 'rejected'; status: number; error: string; issues: FieldIssue[] };

/**
 * 2xx is the API's acknowledgement (the lead is durably stored). 408, 409 (the same key still in
 * flight, e.g. another tab), 425, 429 and every 5xx are worth repeating with the same key; any
 * other 4xx would be answered the same way again, so the visitor must change something.
 */
export function classifyAnswer(status: number, body: unknown, retryAfter: string | null, now: number): Verdict {
  if (status >= 200 && status < 300) {
    const id = (body as { id?: unknown } | null)?.id;
    return { kind: 'accepted', id: typeof id === 'string' ? id : '' };
  }
  if (status >= 500 || [408, 409, 425, 429].includes(status)) {
    return { kind: 'retry', retryAfterMs: parseRetryAfter(retryAfter, now), reason: `HTTP ${status}` };
  }
  const b = (body ?? {}) as { error?: unknown; issues?: unknown };
  const issues = Array.isArray(b.issues)
    ? b.issues.filter((i): i is FieldIssue => typeof i?.path === 'string' && typeof i?.message === 'string')
    : [];
  return { kind: 'rejected', status, error: typeof b.error === 'string' ? b.error : `HTTP ${status}`, issues };
}
