export type Endpoint =
  | 'insert'
  | 'upsert'
  | 'update'
  | 'search'
  | 'get'
  | 'crm_other'
  | 'auth'
  | 'token'
  | 'revoke'
  | 'serverinfo'
  | 'other';

export const CRM_ENDPOINTS: ReadonlySet<Endpoint> = new Set([
  'insert',
  'upsert',
  'update',
  'search',
  'get',
  'crm_other',
]);

export interface FaultSpec {
  /** status: answer with `status` and `body`; hang: never answer; drop: destroy the socket. */
  kind: 'status' | 'hang' | 'drop';
  /** How many matching calls it affects (default 1). */
  count?: number;
  /** Only calls to this endpoint; without it and without `path`, any CRM call. */
  endpoint?: Endpoint;
  /** Only calls whose path contains this text, e.g. '/Leads/upsert' or '/oauth/v2/token'. */
  path?: string;
  status?: number;
  /** Response body (object → JSON, string → as is); default: Zoho's body for `status`. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * 'before' (default): the call is not processed. 'after': it is processed (records are written) and then the
   * answer is replaced — the "request succeeded but the client never heard" case that makes retries risky.
   */
  phase?: 'before' | 'after';
}

export interface PendingFault extends Required<Pick<FaultSpec, 'kind' | 'phase'>> {
  id: number;
  remaining: number;
  endpoint?: Endpoint;
  path?: string;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RecordRejection {
  /** Field API name to test; without it every string field of the record is tested. */
  field?: string;
  pattern: RegExp;
  code?: string;
  message?: string;
}

/** FIFO of injected faults; each matching call consumes one unit of the first matching fault. */
export class FaultQueue {
  private pending: PendingFault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): number {
    if (!['status', 'hang', 'drop'].includes(spec.kind)) throw new Error(`unknown fault kind "${spec.kind}"`);
    const count = spec.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error('count must be a positive integer');
    const id = this.nextId++;
    this.pending.push({
      id,
      kind: spec.kind,
      phase: spec.phase ?? 'before',
      remaining: count,
      endpoint: spec.endpoint,
      path: spec.path,
      status: spec.status ?? 500,
      body: spec.body,
      headers: spec.headers,
    });
    return id;
  }

  take(endpoint: Endpoint, pathname: string, phase: 'before' | 'after'): PendingFault | undefined {
    const index = this.pending.findIndex((f) => f.phase === phase && matches(f, endpoint, pathname));
    if (index < 0) return undefined;
    const fault = this.pending[index]!;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.pending.splice(index, 1);
    return fault;
  }

  list(): PendingFault[] {
    return this.pending.map((f) => ({ ...f }));
  }

  clear(): void {
    this.pending = [];
  }
}

function matches(fault: PendingFault, endpoint: Endpoint, pathname: string): boolean {
  if (fault.endpoint && fault.endpoint !== endpoint) return false;
  if (fault.path && !pathname.includes(fault.path)) return false;
  if (!fault.endpoint && !fault.path) return CRM_ENDPOINTS.has(endpoint);
  return true;
}

export function rejectionFor(
  record: Record<string, unknown>,
  rules: readonly RecordRejection[],
): { rule: RecordRejection; field: string } | undefined {
  for (const rule of rules) {
    const fields = rule.field ? [rule.field] : Object.keys(record);
    for (const field of fields) {
      const value = record[field];
      if (typeof value === 'string' || typeof value === 'number') {
        rule.pattern.lastIndex = 0;
        if (rule.pattern.test(String(value))) return { rule, field };
      }
    }
  }
  return undefined;
}
