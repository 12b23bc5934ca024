import { LEAD_FIELDS } from './fields.js';
import { RecordIdSequence, SIM_USER } from './ids.js';
import { formatZohoDateTime } from './time.js';

export interface StoredLead {
  id: string;
  fields: Record<string, unknown>;
  createdAt: number;
  modifiedAt: number;
  /** What search sees: Zoho indexes asynchronously, so search lags behind writes. */
  indexed: Array<{ visibleAt: number; fields: Record<string, unknown> }>;
}

const OWNER = { name: SIM_USER.name, id: SIM_USER.id, email: 'sim.user@example.com' };
const USER_REF = { name: SIM_USER.name, id: SIM_USER.id };

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return matchKey(a) === matchKey(b);
  return a === b;
}

/** How two string values compare for duplicate checks: trimmed, case-insensitive. */
function matchKey(value: string): string {
  return value.trim().toLowerCase();
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** The Leads module of the simulated org. */
export class LeadStore {
  private leads = new Map<string, StoredLead>();
  private ids = new RecordIdSequence();
  /**
   * field → match key → ids, in insertion order (so the first is the oldest). Duplicate checks
   * look values up here instead of scanning every record: with tens of thousands of records a scan
   * per upserted record made the simulator, not the client, the bottleneck of a drain.
   */
  private index = new Map<string, Map<string, Set<string>>>();
  /** Leads converted in the CRM: Zoho moves them out of Leads (to Contacts/Accounts/Deals). */
  private converted = new Map<string, StoredLead>();

  reset(): void {
    this.leads.clear();
    this.converted.clear();
    this.index.clear();
    this.ids.reset();
  }

  private indexLead(lead: StoredLead, add: boolean): void {
    for (const [field, value] of Object.entries(lead.fields)) {
      if (typeof value !== 'string' || value.trim() === '') continue;
      const key = matchKey(value);
      const byKey = this.index.get(field) ?? new Map<string, Set<string>>();
      this.index.set(field, byKey);
      const ids = byKey.get(key);
      if (add) {
        byKey.set(key, (ids ?? new Set()).add(lead.id));
      } else if (ids) {
        ids.delete(lead.id);
        if (ids.size === 0) byKey.delete(key);
      }
    }
  }

  private matching(field: string, value: unknown): Iterable<StoredLead> {
    if (typeof value === 'string') {
      const ids = this.index.get(field)?.get(matchKey(value)) ?? [];
      return [...ids].map((id) => this.leads.get(id)!);
    }
    return [...this.leads.values()].filter((lead) => sameValue(lead.fields[field], value));
  }

  all(): StoredLead[] {
    return [...this.leads.values()];
  }

  get(id: string): StoredLead | undefined {
    return this.leads.get(id);
  }

  /** Oldest record whose `field` equals `value` (case-insensitive, as Zoho's unique check is for Email). */
  findBy(field: string, value: unknown, exceptId?: string): StoredLead | undefined {
    if (isEmpty(value)) return undefined;
    for (const lead of this.matching(field, value)) if (lead.id !== exceptId) return lead;
    return undefined;
  }

  countBy(field: string, value: unknown, exceptId?: string): number {
    if (isEmpty(value)) return 0;
    let n = 0;
    for (const lead of this.matching(field, value)) if (lead.id !== exceptId) n += 1;
    return n;
  }

  insert(fields: Record<string, unknown>, now: number, indexDelayMs: number): StoredLead {
    const lead: StoredLead = {
      id: this.ids.take(),
      fields: writableFields(fields),
      createdAt: now,
      modifiedAt: now,
      indexed: [],
    };
    lead.indexed.push({ visibleAt: now + indexDelayMs, fields: { ...lead.fields } });
    this.leads.set(lead.id, lead);
    this.indexLead(lead, true);
    return lead;
  }

  update(lead: StoredLead, fields: Record<string, unknown>, now: number, indexDelayMs: number): StoredLead {
    this.indexLead(lead, false);
    Object.assign(lead.fields, writableFields(fields));
    this.indexLead(lead, true);
    lead.modifiedAt = now;
    lead.indexed.push({ visibleAt: now + indexDelayMs, fields: { ...lead.fields } });
    return lead;
  }

  /** Removes a record from Leads, as deleting it in the CRM (or merging it into another) does. */
  remove(id: string): StoredLead | undefined {
    const lead = this.leads.get(id);
    if (!lead) return undefined;
    this.indexLead(lead, false);
    this.leads.delete(id);
    return lead;
  }

  /** Converts a lead: it leaves Leads (no upsert matches it, no update by id reaches it). */
  convert(id: string): boolean {
    const lead = this.remove(id);
    if (lead) this.converted.set(id, lead);
    return lead !== undefined;
  }

  convertedLeads(): StoredLead[] {
    return [...this.converted.values()];
  }

  /** The version search can see now, or undefined while a new record is not indexed yet. */
  searchable(lead: StoredLead, now: number): Record<string, unknown> | undefined {
    const visible = lead.indexed.filter((v) => v.visibleAt <= now);
    if (visible.length === 0) return undefined;
    lead.indexed = lead.indexed.slice(visible.length - 1);
    return visible[visible.length - 1]!.fields;
  }

  /** Emails (lower-cased) carried by more than one record: must stay empty in a healthy run. */
  duplicateEmails(): string[] {
    const seen = new Map<string, number>();
    for (const lead of this.leads.values()) {
      const email = lead.fields.Email;
      if (typeof email === 'string' && email.trim() !== '') {
        const key = email.trim().toLowerCase();
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    return [...seen].filter(([, n]) => n > 1).map(([email]) => email);
  }
}

function writableFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key.startsWith('$') || key === 'id' || LEAD_FIELDS[key]?.readOnly) continue;
    if (key === 'Created_Time' || key === 'Modified_Time' || key === 'Created_By' || key === 'Modified_By') continue;
    out[key] = value;
  }
  return out;
}

/** The `details` of a SUCCESS entry in insert/upsert answers. */
export function successDetails(lead: StoredLead, offsetMinutes: number): Record<string, unknown> {
  return {
    Modified_Time: formatZohoDateTime(lead.modifiedAt, offsetMinutes),
    Modified_By: { ...USER_REF },
    Created_Time: formatZohoDateTime(lead.createdAt, offsetMinutes),
    id: lead.id,
    Created_By: { ...USER_REF },
  };
}

/** A record as Zoho returns it on reads: every field (null when unset) plus system keys. */
export function readShape(
  lead: StoredLead,
  fields: Record<string, unknown>,
  offsetMinutes: number,
  extraFieldNames: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of [...Object.keys(LEAD_FIELDS), ...extraFieldNames]) out[name] = fields[name] ?? null;
  const first = typeof fields.First_Name === 'string' ? fields.First_Name : '';
  const last = typeof fields.Last_Name === 'string' ? fields.Last_Name : '';
  out.Full_Name = [first, last].filter((s) => s !== '').join(' ') || null;
  out.Owner = fields.Owner ?? { ...OWNER };
  out.Layout = fields.Layout ?? null;
  out.Tag = fields.Tag ?? [];
  out.id = lead.id;
  out.Created_Time = formatZohoDateTime(lead.createdAt, offsetMinutes);
  out.Modified_Time = formatZohoDateTime(lead.modifiedAt, offsetMinutes);
  out.Created_By = { ...USER_REF, email: OWNER.email };
  out.Modified_By = { ...USER_REF, email: OWNER.email };
  out.Last_Activity_Time = formatZohoDateTime(lead.modifiedAt, offsetMinutes);
  out.$converted = false;
  out.$approval_state = 'approved';
  out.$editable = true;
  out.Record_Status__s = 'Available';
  return out;
}

/** A compact record for the control API: id, timestamps and the fields that were written. */
export function controlShape(lead: StoredLead): Record<string, unknown> {
  return {
    id: lead.id,
    ...lead.fields,
    Created_Time: new Date(lead.createdAt).toISOString(),
    Modified_Time: new Date(lead.modifiedAt).toISOString(),
  };
}
