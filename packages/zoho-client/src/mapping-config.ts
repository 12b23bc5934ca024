import { readFileSync } from 'node:fs';
import { FixConfigError } from './errors.js';
import { DEFAULT_LEAD_MAPPING, type LeadMapping, parseLeadMapping } from './mapping.js';

/**
 * Reads the field mapping at start-up (the one impure corner of mapping; mapping.ts stays pure):
 * - `ZOHO_FIELD_MAPPING_FILE`: path to a JSON file, or
 * - `ZOHO_FIELD_MAPPING`: the same JSON inline (handy on hosts without a file system),
 * each a partial LeadMapping merged over DEFAULT_LEAD_MAPPING, e.g.
 *   {"leadSource":{"quote_form":"Web Research"},"customFields":{"utm_source":"UTM_Source"},"companyFallback":"Not provided"}
 * Neither set → the defaults. Problems throw FixConfigError with one line naming the variable.
 */
export function leadMappingFromEnv(env: Record<string, string | undefined>): LeadMapping {
  const file = env.ZOHO_FIELD_MAPPING_FILE?.trim();
  const inline = env.ZOHO_FIELD_MAPPING?.trim();
  if (file && inline) {
    throw new FixConfigError('INVALID_MAPPING', 'set only one of ZOHO_FIELD_MAPPING_FILE and ZOHO_FIELD_MAPPING');
  }
  if (!file && !inline) return DEFAULT_LEAD_MAPPING;
  const name = file ? 'ZOHO_FIELD_MAPPING_FILE' : 'ZOHO_FIELD_MAPPING';
  let text: string;
  if (file) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      throw new FixConfigError('INVALID_MAPPING', `${name}: cannot read ${file}`, { cause });
    }
  } else {
    text = inline as string;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FixConfigError('INVALID_MAPPING', `${name}: not valid JSON`);
  }
  return parseLeadMapping(json, name);
}
