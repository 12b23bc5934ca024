import { describe, expect, it } from '@jest/globals';
import { EMAIL_MAX } from './email.js';
import { ZOHO_LEAD_FIELD_LIMITS } from './fields.js';
import { PHONE_MAX } from './phone.js';

describe('ZOHO_LEAD_FIELD_LIMITS', () => {
  it('holds the lengths of Zoho’s Leads fields (docs/zoho-crm.md §9)', () => {
    expect(ZOHO_LEAD_FIELD_LIMITS).toEqual({
      First_Name: 40,
      Last_Name: 80,
      Email: 100,
      Phone: 30,
      Company: 200,
      Lead_Source: 120,
      Description: 32_000,
    });
  });

  it('is the one source of the email and phone caps', () => {
    expect(ZOHO_LEAD_FIELD_LIMITS.Email).toBe(EMAIL_MAX);
    expect(ZOHO_LEAD_FIELD_LIMITS.Phone).toBe(PHONE_MAX);
  });
});
