import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { FixConfigError } from './errors.js';
import {
  DEFAULT_LEAD_MAPPING,
  duplicateCheckFieldsFor,
  type MappableLead,
  parseLeadMapping,
  renderTranscript,
  splitName,
  toZohoLead,
  truncate,
  ZOHO_LEAD_FIELD_LIMITS,
} from './mapping.js';
import { leadMappingFromEnv } from './mapping-config.js';

function lead(overrides: Partial<MappableLead> = {}): MappableLead {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    source: 'quote_form',
    name: null,
    first_name: null,
    last_name: null,
    email: null,
    phone: null,
    company: null,
    message: null,
    transcript: null,
    service: null,
    budget: null,
    page_url: null,
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    ...overrides,
  };
}

describe('splitName', () => {
  it.each([
    [{ name: 'Jane Doe' }, { first: 'Jane', last: 'Doe' }],
    [{ name: '  Ludwig   van  Beethoven ' }, { first: 'Ludwig van', last: 'Beethoven' }],
    [{ name: 'Doe, Jane' }, { first: 'Jane', last: 'Doe' }],
    [{ name: 'Martin Luther King Jr.' }, { first: 'Martin Luther', last: 'King Jr.' }],
    [{ name: 'Madonna' }, { first: null, last: 'Madonna' }],
    [
      { first_name: 'Jane', last_name: 'Doe', name: 'Ignored Name' },
      { first: 'Jane', last: 'Doe' },
    ],
    [{ last_name: 'Doe' }, { first: null, last: 'Doe' }],
    [{ first_name: 'Jane' }, { first: null, last: 'Jane' }],
    [
      { name: '   ', first_name: '' },
      { first: null, last: 'Unknown' },
    ],
    [{}, { first: null, last: 'Unknown' }],
  ])('%j → %j', (input, expected) => {
    expect(splitName({ name: null, first_name: null, last_name: null, ...input })).toEqual(expected);
  });

  it('uses the configured fallback', () => {
    expect(splitName({ name: null, first_name: null, last_name: null }, 'Website visitor').last).toBe(
      'Website visitor',
    );
  });
});

describe('truncate', () => {
  it('keeps short values', () => {
    expect(truncate('abc', 3)).toBe('abc');
  });
  it('cuts to the limit without splitting a surrogate pair', () => {
    const value = `${'a'.repeat(39)}😀b`;
    const cut = truncate(value, 40);
    expect(cut).toBe('a'.repeat(39));
    expect(cut.length).toBeLessThanOrEqual(40);
  });
  it('adds a marker within the limit', () => {
    const cut = truncate('x'.repeat(100), 50, '…');
    expect(cut.length).toBe(50);
    expect(cut.endsWith('…')).toBe(true);
  });
});

describe('renderTranscript', () => {
  it('renders an array as labelled lines', () => {
    expect(
      renderTranscript([
        { role: 'bot', content: 'Hi! How can I help?' },
        { role: 'user', content: 'I need a quote\nfor 3 rooms' },
        { role: 'user', content: '   ' },
      ]),
    ).toBe('Bot: Hi! How can I help?\nVisitor: I need a quote\n  for 3 rooms');
  });
  it('renders a JSON transcript string the same way', () => {
    expect(renderTranscript('[{"role":"user","content":"hello"},{"role":"bot","content":"hi"}]')).toBe(
      'Visitor: hello\nBot: hi',
    );
  });
  it('keeps a plain string, normalising line ends', () => {
    expect(renderTranscript(' user: hi\r\nbot: hello ')).toBe('user: hi\nbot: hello');
  });
  it('keeps a string that only looks like JSON', () => {
    expect(renderTranscript('[not json')).toBe('[not json');
  });
  it('gives null for nothing to render', () => {
    expect(renderTranscript(null)).toBeNull();
    expect(renderTranscript([])).toBeNull();
    expect(renderTranscript('  ')).toBeNull();
  });
  it('uses configured labels', () => {
    expect(renderTranscript([{ role: 'user', content: 'x' }], { user: 'Kunde', bot: 'Assistent' })).toBe('Kunde: x');
  });
});

describe('toZohoLead', () => {
  it('maps a quote-form lead', () => {
    const record = toZohoLead(
      lead({
        name: 'Jane Doe',
        email: ' Jane@Example.com ',
        phone: '+1 (555) 123-4567',
        company: ' Acme  Inc ',
        message: 'Please call me back.',
        service: 'Roofing',
        budget: '5k',
      }),
    );
    expect(record).toEqual({
      Last_Name: 'Doe',
      First_Name: 'Jane',
      Email: 'jane@example.com',
      Phone: '+15551234567',
      Company: 'Acme Inc',
      Lead_Source: 'Web Download',
      Description: 'Please call me back.\n\n---\nService: Roofing\nBudget: 5k',
    });
  });

  it('maps a chatbot lead with its transcript and never sends empty values', () => {
    const record = toZohoLead(
      lead({
        source: 'chatbot',
        name: 'Sam',
        phone: '0301234567',
        transcript: [
          { role: 'bot', content: 'Hi' },
          { role: 'user', content: 'Call me' },
        ],
      }),
    );
    expect(record).toEqual({
      Last_Name: 'Sam',
      Phone: '0301234567',
      Lead_Source: 'Chat',
      Description: 'Chat transcript:\nBot: Hi\nVisitor: Call me',
    });
    expect(Object.values(record)).not.toContain(null);
    expect(Object.values(record)).not.toContain('');
  });

  it('never leaves Last_Name empty', () => {
    expect(toZohoLead(lead({ email: 'a@b.co' })).Last_Name).toBe('Unknown');
  });

  it('uses the company fallback only when configured', () => {
    expect(toZohoLead(lead({ name: 'A B' }))).not.toHaveProperty('Company');
    const mapping = parseLeadMapping({ companyFallback: 'Not provided' });
    expect(toZohoLead(lead({ name: 'A B' }), mapping).Company).toBe('Not provided');
    expect(toZohoLead(lead({ name: 'A B', company: 'Real Co' }), mapping).Company).toBe('Real Co');
  });

  it('trims every value to Zoho’s field limits', () => {
    const record = toZohoLead(
      lead({
        first_name: 'F'.repeat(100),
        last_name: 'L'.repeat(100),
        company: 'C'.repeat(300),
        message: 'm'.repeat(40_000),
        service: 'Roofing',
      }),
    );
    expect((record.First_Name as string).length).toBe(ZOHO_LEAD_FIELD_LIMITS.First_Name);
    expect((record.Last_Name as string).length).toBe(ZOHO_LEAD_FIELD_LIMITS.Last_Name);
    expect((record.Company as string).length).toBe(ZOHO_LEAD_FIELD_LIMITS.Company);
    const description = record.Description as string;
    expect(description.length).toBeLessThanOrEqual(ZOHO_LEAD_FIELD_LIMITS.Description);
    // A long message gives way to the details block, which is kept whole.
    expect(description).toContain('[…truncated]');
    expect(description.endsWith('---\nService: Roofing')).toBe(true);
  });

  it('sends a Company of up to 200 characters whole (Zoho’s Company holds 200)', () => {
    const company = 'C'.repeat(200);
    expect(toZohoLead(lead({ name: 'A B', company })).Company).toBe(company);
  });

  it('sends the phone in the form intake stores: + and digits, 00 written as +', () => {
    expect(toZohoLead(lead({ name: 'A B', phone: '(030) 123-45 67' })).Phone).toBe('0301234567');
    expect(toZohoLead(lead({ name: 'A B', phone: '0049 30 1234567' })).Phone).toBe('+49301234567');
  });

  it.each([
    ['an extension', '555.123.4567 x12'],
    ['letters', 'call me on 555 0100'],
    ['too few digits', '1234'],
    ['more than Zoho’s 30 characters', '1'.repeat(31)],
  ])('leaves out a phone Zoho would refuse (%s) and keeps it in Description', (_what, phone) => {
    const record = toZohoLead(lead({ name: 'A B', email: 'a@example.com', phone }));
    expect(record).not.toHaveProperty('Phone');
    expect(record.Description).toContain(`Phone as given (not accepted by Zoho): ${phone}`);
  });

  it('leaves out an email Zoho would refuse and keeps it in Description', () => {
    const record = toZohoLead(lead({ name: 'A B', email: 'jane@localhost', phone: '555 123 4567' }));
    expect(record).not.toHaveProperty('Email');
    expect(record.Description).toContain('Email as given (not accepted by Zoho): jane@localhost');
    expect(duplicateCheckFieldsFor(record)).toEqual(['Phone']);
  });

  it('maps UTM values to configured custom fields, else into Description', () => {
    const withUtm = lead({ name: 'A B', utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring' });
    expect(toZohoLead(withUtm).Description).toBe('---\nUTM source: google\nUTM medium: cpc\nUTM campaign: spring');
    const mapping = parseLeadMapping({
      customFields: { utm_source: 'UTM_Source', utm_campaign: 'UTM_Campaign' },
      customFieldMaxLength: 5,
    });
    const record = toZohoLead(withUtm, mapping);
    expect(record.UTM_Source).toBe('googl');
    expect(record.UTM_Campaign).toBe('sprin');
    expect(record.Description).toBe('---\nUTM medium: cpc');
  });

  it('applies lead sources and static fields from the mapping', () => {
    const mapping = parseLeadMapping({
      leadSource: { quote_form: 'Web Research', chatbot: null },
      staticFields: { Lead_Status: 'Not Contacted' },
    });
    expect(toZohoLead(lead({ name: 'A B' }), mapping)).toMatchObject({
      Lead_Source: 'Web Research',
      Lead_Status: 'Not Contacted',
    });
    expect(toZohoLead(lead({ name: 'A B', source: 'chatbot' }), mapping)).not.toHaveProperty('Lead_Source');
  });
});

describe('mapping configuration', () => {
  it('defaults when nothing is configured', () => {
    expect(parseLeadMapping(undefined)).toEqual(DEFAULT_LEAD_MAPPING);
    expect(leadMappingFromEnv({})).toEqual(DEFAULT_LEAD_MAPPING);
  });

  it('rejects unknown keys and bad field names with one line naming the place', () => {
    expect(() => parseLeadMapping({ leadSorce: {} })).toThrow(FixConfigError);
    expect(() => parseLeadMapping({ customFields: { utm_source: 'utm source' } })).toThrow(/customFields\.utm_source/);
  });

  it('reads inline JSON and a file from the environment', () => {
    expect(leadMappingFromEnv({ ZOHO_FIELD_MAPPING: '{"lastNameFallback":"Visitor"}' }).lastNameFallback).toBe(
      'Visitor',
    );
    const dir = mkdtempSync(join(tmpdir(), 'zoho-mapping-'));
    const file = join(dir, 'mapping.json');
    writeFileSync(file, JSON.stringify({ leadSource: { chatbot: 'Chat Bot' } }));
    const mapping = leadMappingFromEnv({ ZOHO_FIELD_MAPPING_FILE: file });
    expect(mapping.leadSource).toEqual({ quote_form: 'Web Download', chatbot: 'Chat Bot' });
    expect(() => leadMappingFromEnv({ ZOHO_FIELD_MAPPING: '{nope' })).toThrow('ZOHO_FIELD_MAPPING: not valid JSON');
    expect(() => leadMappingFromEnv({ ZOHO_FIELD_MAPPING_FILE: join(dir, 'missing.json') })).toThrow(FixConfigError);
  });
});
