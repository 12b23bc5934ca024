import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { FixConfigError } from './errors.js';

/**
 * Zoho tokens at rest: AES-256-GCM under TOKEN_ENCRYPTION_KEY. Only the ciphertext string ever
 * crosses the TokenStore interface, so the database never holds a usable token.
 *
 * Format: `v1:<iv b64>:<tag b64>:<ciphertext b64>` — a version prefix so the scheme can change
 * without guessing, a fresh random 96-bit IV per encryption (GCM's recommended size; reusing an IV
 * under one key would break GCM), and the 128-bit tag so tampering is detected.
 */

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Parses TOKEN_ENCRYPTION_KEY. Throws a FixConfigError with a one-line, secret-free message when
 * the value is not base64 of exactly 32 bytes, so start-up stops with a line an operator can act on.
 */
export function parseEncryptionKey(base64: string | undefined, variableName = 'TOKEN_ENCRYPTION_KEY'): Buffer {
  const hint = 'generate one with `openssl rand -base64 32`';
  const value = (base64 ?? '').trim();
  if (value === '') {
    throw new FixConfigError(
      'INVALID_ENCRYPTION_KEY',
      `${variableName} is missing: it must be 32 bytes, base64 (${hint})`,
    );
  }
  const isBase64 = BASE64.test(value) && value.length % 4 === 0;
  const isBase64Url = !isBase64 && BASE64URL.test(value);
  if (!isBase64 && !isBase64Url) {
    throw new FixConfigError('INVALID_ENCRYPTION_KEY', `${variableName} is not valid base64 (${hint})`);
  }
  const key = Buffer.from(value, isBase64 ? 'base64' : 'base64url');
  if (key.length !== KEY_BYTES) {
    throw new FixConfigError(
      'INVALID_ENCRYPTION_KEY',
      `${variableName} must decode to exactly ${KEY_BYTES} bytes, got ${key.length} (${hint})`,
    );
  }
  return key;
}

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) {
    throw new FixConfigError('INVALID_ENCRYPTION_KEY', `encryption key must be ${KEY_BYTES} bytes, got ${key.length}`);
  }
}

/**
 * `context` is bound in as GCM additional data, so a ciphertext cannot be moved to another purpose
 * (an access-token ciphertext pasted into the refresh-token column fails to decrypt).
 */
export function encryptSecret(plain: string, key: Buffer, context = ''): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  if (context !== '') cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString('base64'), tag.toString('base64'), ciphertext.toString('base64')].join(':');
}

/**
 * Throws FixConfigError when the value cannot be decrypted: the usual cause is a changed
 * TOKEN_ENCRYPTION_KEY, which an operator fixes (restore the key, or re-authorise Zoho).
 */
export function decryptSecret(encoded: string, key: Buffer, context = ''): string {
  assertKey(key);
  const parts = encoded.split(':');
  const [version, ivB64, tagB64, ctB64] = parts;
  if (parts.length !== 4 || version !== VERSION || !ivB64 || !tagB64 || ctB64 === undefined) {
    throw new FixConfigError('TOKEN_DECRYPT_FAILED', 'stored Zoho token is not in the expected encrypted format (v1)');
  }
  const iv = Buffer.from(ivB64, 'base64');
  const tag = Buffer.from(tagB64, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new FixConfigError('TOKEN_DECRYPT_FAILED', 'stored Zoho token has a malformed IV or tag');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    if (context !== '') decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(ctB64, 'base64')), decipher.final()]).toString('utf8');
  } catch (cause) {
    throw new FixConfigError(
      'TOKEN_DECRYPT_FAILED',
      'stored Zoho token cannot be decrypted with TOKEN_ENCRYPTION_KEY (was the key changed?); restore the key or re-authorise Zoho',
      { cause },
    );
  }
}

/**
 * A stable, non-reversible name for a secret, for Redis keys and logs. Keyed with the encryption
 * key so that even a low-entropy secret cannot be confirmed by hashing guesses.
 */
export function fingerprintSecret(secret: string, key: Buffer): string {
  return createHmac('sha256', key).update('fingerprint\0').update(secret).digest('hex').slice(0, 32);
}
