import { decryptSecret, encryptSecret, fingerprintSecret } from '../crypto.js';

// Each kind of token is encrypted under its own context, so one ciphertext cannot pass for the other.
const ACCESS_CONTEXT = 'zoho:access_token';
const REFRESH_CONTEXT = 'zoho:refresh_token';

/** Encryption of the tokens the store holds, and the HMAC fingerprints Redis keys use instead of them. */
export function tokenSecrets(key: Buffer) {
  return {
    sealAccess: (token: string) => encryptSecret(token, key, ACCESS_CONTEXT),
    openAccess: (ciphertext: string) => decryptSecret(ciphertext, key, ACCESS_CONTEXT),
    sealRefresh: (token: string) => encryptSecret(token, key, REFRESH_CONTEXT),
    openRefresh: (ciphertext: string) => decryptSecret(ciphertext, key, REFRESH_CONTEXT),
    fingerprint: (secret: string) => fingerprintSecret(secret, key),
  };
}

export type TokenSecrets = ReturnType<typeof tokenSecrets>;
