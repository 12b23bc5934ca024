/**
 * How Zoho's duplicate check knows a person: by Email, else by Phone. Upsert matches on that
 * field, so the record of one person is found again however often the lead is sent.
 */

export type DuplicateCheckFields = ['Email'] | ['Phone'];

/** The fields of a Zoho Lead record the duplicate check reads. */
export type DuplicateCheckable = { Email?: unknown; Phone?: unknown };

const given = (value: unknown): value is string => typeof value === 'string' && value !== '';

/**
 * Email, else Phone. A record with neither gets ['Email'] (Zoho's system default for Leads),
 * which inserts it: intake requires one of the two, so that only happens to an email Zoho would
 * refuse on a lead without a usable phone.
 *
 * Zoho accepts in `duplicate_check_fields` only system duplicate-check fields (Email for Leads)
 * and fields marked "Do not allow duplicate values" (docs/zoho-crm.md §5): Phone-based dedupe
 * needs Phone marked unique in the Zoho org.
 */
export function duplicateCheckFieldsFor(record: DuplicateCheckable): DuplicateCheckFields {
  if (given(record.Email)) return ['Email'];
  if (given(record.Phone)) return ['Phone'];
  return ['Email'];
}

/**
 * The person a record stands for in Zoho's eyes: its duplicate-check field and that field's value
 * (e.g. "Email:jane@example.com"). Two records with one identity are one Zoho record.
 */
export function duplicateCheckIdentity(record: DuplicateCheckable): string {
  const [field] = duplicateCheckFieldsFor(record);
  const value = record[field];
  return `${field}:${given(value) ? value : ''}`;
}
