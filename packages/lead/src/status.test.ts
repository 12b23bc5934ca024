import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { LEAD_STATUSES } from './status.js';

describe('LEAD_STATUSES', () => {
  it('lists the statuses the leads.status check constraint allows, no more, no fewer', () => {
    const dir = new URL('../../../supabase/migrations/', import.meta.url);
    const sql = readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => readFileSync(new URL(f, dir), 'utf8'))
      .join('\n');
    const checks = [...sql.matchAll(/check\s*\(\s*status\s+in\s*\(([^)]*)\)/gi)].map((m) => m[1] ?? '');
    expect(checks.length).toBeGreaterThan(0);
    const last = (checks.at(-1) ?? '').match(/'[^']+'/g)?.map((s) => s.slice(1, -1));
    expect([...(last ?? [])].sort()).toEqual([...LEAD_STATUSES].sort());
  });
});
