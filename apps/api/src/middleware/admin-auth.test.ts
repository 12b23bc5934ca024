import { describe, expect, it } from '@jest/globals';
import { presentedSecret } from './admin-auth.js';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('presentedSecret', () => {
  it.each([
    ['Bearer s3cret', 's3cret'],
    ['bearer s3cret', 's3cret'],
    [basic('admin:s3cret'), 's3cret'],
    [basic(':s3cret'), 's3cret'],
    [basic('admin:pass:with:colons'), 'pass:with:colons'],
  ])('reads %j', (header, secret) => {
    expect(presentedSecret(header)).toBe(secret);
  });

  it.each([[undefined], [''], ['Bearer'], ['Bearer a b'], ['Token s3cret'], [basic('no-colon')]])(
    'finds no secret in %j',
    (header) => {
      expect(presentedSecret(header)).toBeUndefined();
    },
  );
});
