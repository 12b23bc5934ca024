import type { LeadFields, LeadSource } from '@leadsync/db';
import type { z } from 'zod';
import { type FieldIssue, isPlainObject, unstorableIssues } from './payload.js';
import { intakeSchemas } from './schemas.js';

export type ParsedIntake =
  | { ok: true; fields: LeadFields; rawPayload: Record<string, unknown> }
  | { ok: false; issues: FieldIssue[] };

/**
 * Validates and normalises a posted body. A missing body (no content) reads as an empty form,
 * so it fails on the missing contact fields rather than on its shape.
 */
export function parseIntake(source: LeadSource, body: unknown): ParsedIntake {
  const raw = body === undefined ? {} : body;
  if (!isPlainObject(raw)) {
    return { ok: false, issues: [{ path: '', message: 'must be a JSON object or a form' }] };
  }
  const result = intakeSchemas[source].safeParse(raw);
  const issues = onePerField([...(result.success ? [] : toFieldIssues(result.error.issues)), ...unstorableIssues(raw)]);
  if (!result.success || issues.length > 0) return { ok: false, issues };
  // Every key the schemas output is a LeadFields column; absent ones are undefined, which JSON drops.
  return { ok: true, fields: result.data as LeadFields, rawPayload: raw };
}

/**
 * A union (the transcript: text or entries) reports only "invalid_union"; the branch that got
 * past the type check holds the useful message (e.g. transcript.2.role).
 */
function toFieldIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): FieldIssue[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      const informative = issue.errors.find((branch) =>
        branch.some((i) => !(i.code === 'invalid_type' && i.path.length === 0)),
      );
      if (informative) return toFieldIssues(informative, path);
    }
    return [{ path: path.map(String).join('.'), message: issue.message }];
  });
}

function onePerField(issues: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(i.path) && seen.add(i.path));
}
