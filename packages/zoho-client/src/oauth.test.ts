import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { decryptSecret, encryptSecret, fingerprintSecret, parseEncryptionKey } from './crypto.js';
import { dataCenterForAccountsServer, dataCenters, resolveAccountsServer } from './data-centers.js';
import { FixConfigError, RejectedRequestError } from './errors.js';
import { buildConsentUrl, createOAuthClient, DEFAULT_SCOPES } from './oauth.js';

describe('buildConsentUrl', () => {
  const url = new URL(
    buildConsentUrl({
      accountsUrl: 'https://accounts.zoho.eu/',
      clientId: '1000.CLIENT',
      redirectUri: 'https://app.example/auth/zoho/callback',
      state: 'csrf-123',
    }),
  );

  it('points at the accounts server’s auth endpoint', () => {
    expect(`${url.origin}${url.pathname}`).toBe('https://accounts.zoho.eu/oauth/v2/auth');
  });

  it('asks for a refresh token every time, with a state', () => {
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: '1000.CLIENT',
      scope: 'ZohoCRM.modules.leads.ALL,ZohoSearch.securesearch.READ',
      redirect_uri: 'https://app.example/auth/zoho/callback',
      access_type: 'offline',
      prompt: 'consent',
      state: 'csrf-123',
    });
  });

  it('covers creating, updating and searching Leads by default', () => {
    expect(DEFAULT_SCOPES).toContain('ZohoCRM.modules.leads.ALL');
    expect(DEFAULT_SCOPES).toContain('ZohoSearch.securesearch.READ');
  });

  it('takes custom scopes, comma-separated', () => {
    const custom = new URL(
      buildConsentUrl({
        accountsUrl: 'https://accounts.zoho.com',
        clientId: 'c',
        redirectUri: 'http://localhost:3000/cb',
        state: 's',
        scopes: ['ZohoCRM.modules.leads.CREATE', 'ZohoCRM.modules.leads.UPDATE'],
      }),
    );
    expect(custom.searchParams.get('scope')).toBe('ZohoCRM.modules.leads.CREATE,ZohoCRM.modules.leads.UPDATE');
  });

  it('refuses an empty state and a bad accounts URL', () => {
    const base = { accountsUrl: 'https://accounts.zoho.com', clientId: 'c', redirectUri: 'http://x/cb' };
    expect(() => buildConsentUrl({ ...base, state: ' ' })).toThrow(RejectedRequestError);
    expect(() => buildConsentUrl({ ...base, accountsUrl: 'accounts.zoho.com', state: 's' })).toThrow(FixConfigError);
  });
});

describe('data centres', () => {
  it('lists every documented accounts server, Canada on zohocloud.ca', () => {
    expect(dataCenters.map((dc) => dc.location)).toEqual(['us', 'eu', 'in', 'au', 'jp', 'ca', 'sa', 'cn', 'uk']);
    expect(dataCenterForAccountsServer('https://accounts.zohocloud.ca')?.apiDomain).toBe('https://www.zohoapis.ca');
  });

  it('accepts known Zoho accounts servers and the configured one, normalised', () => {
    const configured = 'http://127.0.0.1:4010';
    expect(resolveAccountsServer('https://accounts.zoho.eu', configured)).toBe('https://accounts.zoho.eu');
    expect(resolveAccountsServer('https://Accounts.Zoho.COM.AU/', configured)).toBe('https://accounts.zoho.com.au');
    expect(resolveAccountsServer('http://127.0.0.1:4010', configured)).toBe(configured);
    expect(resolveAccountsServer(undefined, configured)).toBe(configured);
    expect(resolveAccountsServer('', configured)).toBe(configured);
    expect(resolveAccountsServer('http://127.0.0.1:5000', configured, ['http://127.0.0.1:5000'])).toBe(
      'http://127.0.0.1:5000',
    );
  });

  it.each([
    'https://evil.example',
    'http://accounts.zoho.com', // plain http is not Zoho
    'https://accounts.zoho.com.evil.example',
    'https://accounts.zoho.com@evil.example',
    'https://user:pw@accounts.zoho.com',
    'https://accounts.zoho.com/oauth/v2/token',
    'https://accounts.zoho.com?x=1',
    'javascript:alert(1)',
    'not a url',
  ])('refuses %j', (value) => {
    expect(() => resolveAccountsServer(value, 'https://accounts.zoho.com')).toThrow(RejectedRequestError);
  });

  it('refuses an untrusted accounts server before any exchange is attempted', async () => {
    let calls = 0;
    const oauth = createOAuthClient({
      accountsUrl: 'https://accounts.zoho.com',
      clientId: 'c',
      clientSecret: 's',
      redirectUri: 'http://x/cb',
      fetch: async () => {
        calls += 1;
        return new Response('{}');
      },
    });
    await expect(oauth.exchangeCode({ code: '1000.x', accountsServer: 'https://evil.example' })).rejects.toMatchObject({
      code: 'UNTRUSTED_ACCOUNTS_SERVER',
    });
    expect(calls).toBe(0);
  });
});

describe('token encryption', () => {
  const keyB64 = randomBytes(32).toString('base64');

  it('parses a 32-byte base64 key (standard or url alphabet)', () => {
    expect(parseEncryptionKey(keyB64)).toHaveLength(32);
    expect(parseEncryptionKey(Buffer.from(keyB64, 'base64').toString('base64url'))).toHaveLength(32);
  });

  it.each([
    [undefined, /missing/],
    ['', /missing/],
    ['not base64 !!', /not valid base64/],
    [randomBytes(16).toString('base64'), /exactly 32 bytes, got 16/],
    [randomBytes(33).toString('base64'), /got 33/],
  ])('refuses %j with one clear line', (value, message) => {
    let thrown: unknown;
    try {
      parseEncryptionKey(value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FixConfigError);
    expect((thrown as Error).message).toMatch(/^TOKEN_ENCRYPTION_KEY /);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain('\n');
  });

  it('round-trips with a fresh IV each time and the v1 format', () => {
    const key = parseEncryptionKey(keyB64);
    const a = encryptSecret('1000.secret-token', key);
    const b = encryptSecret('1000.secret-token', key);
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('secret');
    expect(decryptSecret(a, key)).toBe('1000.secret-token');
  });

  it('detects tampering, a wrong key and a moved ciphertext', () => {
    const key = parseEncryptionKey(keyB64);
    const sealed = encryptSecret('token', key, 'zoho:refresh_token');
    const parts = sealed.split(':');
    const ct = Buffer.from(parts[3] as string, 'base64');
    ct[0] = (ct[0] as number) ^ 1;
    const tampered = [parts[0], parts[1], parts[2], ct.toString('base64')].join(':');
    expect(() => decryptSecret(tampered, key, 'zoho:refresh_token')).toThrow(FixConfigError);
    expect(() => decryptSecret(sealed, randomBytes(32), 'zoho:refresh_token')).toThrow(/TOKEN_ENCRYPTION_KEY/);
    expect(() => decryptSecret(sealed, key, 'zoho:access_token')).toThrow(FixConfigError);
    expect(() => decryptSecret('plaintext-token', key)).toThrow(FixConfigError);
  });

  it('fingerprints without revealing the secret', () => {
    const key = parseEncryptionKey(keyB64);
    const fp = fingerprintSecret('1000.refresh', key);
    expect(fp).toMatch(/^[0-9a-f]{32}$/);
    expect(fingerprintSecret('1000.refresh', key)).toBe(fp);
    expect(fingerprintSecret('1000.other', key)).not.toBe(fp);
  });
});
