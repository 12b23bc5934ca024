import { describe, expect, it } from '@jest/globals';
import { intakeUrl } from './endpoint.js';
import { formToObject, withPageContext } from './fields.js';

describe('formToObject', () => {
  it('keeps text fields, lists a repeated name, and skips files', () => {
    const data = new FormData();
    data.append('name', 'Ada');
    data.append('service', 'a');
    data.append('service', 'b');
    data.append('cv', new Blob(['x']), 'cv.txt');
    expect(formToObject(data)).toEqual({ name: 'Ada', service: ['a', 'b'] });
  });
});

describe('withPageContext', () => {
  it('adds page_url and utm_* from the page unless the form has them', () => {
    const href = 'https://shop.example/quote?utm_source=news&utm_campaign=spring';
    expect(withPageContext({ email: 'a@example.com' }, href)).toEqual({
      email: 'a@example.com',
      page_url: href,
      utm_source: 'news',
      utm_campaign: 'spring',
    });
    expect(withPageContext({ page_url: 'x', utm_source: 'form' }, href)).toMatchObject({
      page_url: 'x',
      utm_source: 'form',
    });
  });
});

describe('intakeUrl', () => {
  const page = 'https://shop.example/contact';
  it('puts the source path on a base URL', () => {
    expect(intakeUrl('quote_form', 'https://leads.example.com', '', page)).toBe(
      'https://leads.example.com/api/store-lead',
    );
    expect(intakeUrl('chatbot', 'https://leads.example.com/', '', page)).toBe(
      'https://leads.example.com/api/chatbot-leads',
    );
  });
  it('keeps a full intake URL as given', () => {
    expect(intakeUrl('quote_form', 'https://x.example/api/store-lead', '', page)).toBe(
      'https://x.example/api/store-lead',
    );
  });
  it('defaults to the API the script came from', () => {
    expect(intakeUrl('quote_form', undefined, 'https://leads.example.com/embed.js', page)).toBe(
      'https://leads.example.com/api/store-lead',
    );
  });
});
