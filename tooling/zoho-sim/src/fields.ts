export type FieldType =
  | 'text'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'website'
  | 'picklist'
  | 'integer'
  | 'currency'
  | 'boolean'
  | 'lookup'
  | 'tags';

export interface FieldSpec {
  type: FieldType;
  maxLength?: number;
  /** Zoho ignores/refuses writes to read-only fields; the simulator ignores them on input. */
  readOnly?: boolean;
}

/** Standard Leads fields with the lengths from the v7 field-metadata sample (docs/zoho-crm.md §9). */
export const LEAD_FIELDS: Readonly<Record<string, FieldSpec>> = {
  Owner: { type: 'lookup' },
  Layout: { type: 'lookup' },
  Salutation: { type: 'picklist', maxLength: 120 },
  First_Name: { type: 'text', maxLength: 40 },
  Last_Name: { type: 'text', maxLength: 80 },
  Full_Name: { type: 'text', maxLength: 80, readOnly: true },
  Designation: { type: 'text', maxLength: 100 },
  Company: { type: 'text', maxLength: 200 },
  Email: { type: 'email', maxLength: 100 },
  Secondary_Email: { type: 'email', maxLength: 100 },
  Phone: { type: 'phone', maxLength: 30 },
  Mobile: { type: 'phone', maxLength: 30 },
  Fax: { type: 'text', maxLength: 30 },
  Website: { type: 'website', maxLength: 255 },
  Lead_Source: { type: 'picklist', maxLength: 120 },
  Lead_Status: { type: 'picklist', maxLength: 120 },
  Industry: { type: 'picklist', maxLength: 120 },
  No_of_Employees: { type: 'integer', maxLength: 9 },
  Annual_Revenue: { type: 'currency', maxLength: 16 },
  Rating: { type: 'picklist', maxLength: 120 },
  Email_Opt_Out: { type: 'boolean' },
  Skype_ID: { type: 'text', maxLength: 50 },
  Street: { type: 'text', maxLength: 250 },
  City: { type: 'text', maxLength: 100 },
  State: { type: 'text', maxLength: 100 },
  Zip_Code: { type: 'text', maxLength: 30 },
  Country: { type: 'text', maxLength: 100 },
  Description: { type: 'textarea', maxLength: 32000 },
  Tag: { type: 'tags' },
};

/** System keys Zoho returns on reads; sent on writes they are ignored rather than rejected. */
export const SYSTEM_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'Created_Time',
  'Modified_Time',
  'Created_By',
  'Modified_By',
  'Last_Activity_Time',
  'Record_Status__s',
]);

export const EMAIL_FIELDS = ['Email', 'Secondary_Email'] as const;
export const PHONE_FIELDS = ['Phone', 'Mobile'] as const;
