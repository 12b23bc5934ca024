import { z } from 'zod';

/**
 * One entry of an insert/upsert/update answer's `data` array → a result value, never an
 * exception: one bad record must not hide the good ones of its batch. Pure, unit-tested beside it.
 */

export type UpsertSuccess = {
  ok: true;
  zohoId: string;
  action: 'insert' | 'update';
  /** The field Zoho matched an existing record on (update only). */
  duplicateField?: string;
};

export type UpsertFailure = {
  ok: false;
  code: string;
  message: string;
  /** API name of the offending field, when Zoho named one. */
  field?: string;
  /**
   * False for validation failures (INVALID_DATA, MANDATORY_NOT_FOUND, DUPLICATE_DATA, …): sending
   * the same record again gives the same answer, so mark it failed. True for the rare per-record
   * transient codes (INTERNAL_ERROR, …) and for a result Zoho did not return.
   */
  retryable: boolean;
  /**
   * Update by id only: the id names no record in Leads any more (deleted, merged, or converted
   * into a contact). Zoho documents one answer for all three, so the caller cannot tell them apart.
   */
  recordGone?: true;
  details?: unknown;
};

export type UpsertResult = UpsertSuccess | UpsertFailure;

const TRANSIENT_RECORD_CODES = new Set([
  'INTERNAL_ERROR',
  'TOO_MANY_REQUESTS',
  'ALREADY_MODIFIED',
  'RECORD_LOCKED',
  'MISSING_RESULT',
]);

const recordItemSchema = z.object({
  code: z.string().optional(),
  status: z.string().optional(),
  message: z.string().optional(),
  action: z.string().optional(),
  duplicate_field: z.string().nullable().optional(),
  details: z.unknown().optional(),
});

function apiNameOf(details: unknown): string | undefined {
  if (!details || typeof details !== 'object') return undefined;
  const d = details as { api_name?: unknown; errors?: unknown };
  if (typeof d.api_name === 'string') return d.api_name;
  // MULTIPLE_OR_MULTI_ERRORS wraps several validation failures; name the first field.
  if (Array.isArray(d.errors)) {
    for (const inner of d.errors) {
      const name = apiNameOf(inner && typeof inner === 'object' ? (inner as { details?: unknown }).details : undefined);
      if (name) return name;
    }
  }
  return undefined;
}

/**
 * One item of an insert/upsert/update `data` array → our result value. An update by id answers
 * without `action`: its success is always an update of the record it named.
 */
export function classifyRecordResult(item: unknown, operation: 'upsert' | 'update' = 'upsert'): UpsertResult {
  const parsed = recordItemSchema.safeParse(item);
  if (!parsed.success) {
    return { ok: false, code: 'INVALID_RESULT', message: 'Zoho returned an unreadable result', retryable: true };
  }
  const r = parsed.data;
  const id =
    r.details && typeof r.details === 'object' && typeof (r.details as { id?: unknown }).id === 'string'
      ? (r.details as { id: string }).id
      : undefined;
  if (r.status === 'success' && id !== undefined) {
    const action = operation === 'update' || r.action === 'update' ? 'update' : 'insert';
    const result: UpsertSuccess = { ok: true, zohoId: id, action };
    if (r.duplicate_field) result.duplicateField = r.duplicate_field;
    return result;
  }
  const code = r.code ?? 'UNKNOWN_ERROR';
  const failure: UpsertFailure = {
    ok: false,
    code,
    message: r.message ?? 'record rejected',
    retryable: TRANSIENT_RECORD_CODES.has(code),
  };
  const field = apiNameOf(r.details);
  if (field !== undefined) failure.field = field;
  if (operation === 'update' && code === 'INVALID_DATA' && field === 'id') failure.recordGone = true;
  if (r.details !== undefined) failure.details = r.details;
  return failure;
}
