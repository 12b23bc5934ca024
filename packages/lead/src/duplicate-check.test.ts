import { describe, expect, it } from '@jest/globals';
import { duplicateCheckFieldsFor, duplicateCheckIdentity } from './duplicate-check.js';

describe('duplicateCheckFieldsFor', () => {
  it('is Email when there is one, else Phone, else Zoho’s default Email', () => {
    expect(duplicateCheckFieldsFor({ Email: 'a@b.co', Phone: '123' })).toEqual(['Email']);
    expect(duplicateCheckFieldsFor({ Phone: '123' })).toEqual(['Phone']);
    expect(duplicateCheckFieldsFor({ Email: '', Phone: '123' })).toEqual(['Phone']);
    expect(duplicateCheckFieldsFor({ Last_Name: 'x' } as never)).toEqual(['Email']);
    expect(duplicateCheckFieldsFor({ Email: 7, Phone: null })).toEqual(['Email']);
  });
});

describe('duplicateCheckIdentity', () => {
  it('names the field and its value: the person as Zoho’s duplicate check sees them', () => {
    expect(duplicateCheckIdentity({ Email: 'a@b.co', Phone: '12345' })).toBe('Email:a@b.co');
    expect(duplicateCheckIdentity({ Phone: '12345' })).toBe('Phone:12345');
    expect(duplicateCheckIdentity({})).toBe('Email:');
  });

  it('tells an email from a phone number with the same text', () => {
    expect(duplicateCheckIdentity({ Phone: '12345' })).not.toBe(duplicateCheckIdentity({ Email: '12345' }));
  });
});
