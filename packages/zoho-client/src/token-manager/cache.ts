import type { AccessCredentials } from './types.js';

/** Fingerprints of tokens Zoho rejected; a bounded list (a handful of tokens per hour at most). */
const MAX_INVALIDATED = 32;

/**
 * What one process remembers without I/O: the credentials it last obtained, and the tokens Zoho
 * rejected (by fingerprint), which are never handed out again even while the store still holds them.
 */
export function createCredentialCache(fingerprint: (token: string) => string) {
  let current: AccessCredentials | null = null;
  const invalidated: string[] = [];
  return {
    get current(): AccessCredentials | null {
      return current;
    },
    remember(credentials: AccessCredentials): AccessCredentials {
      current = credentials;
      return credentials;
    },
    forget(): void {
      current = null;
    },
    isInvalidated(accessToken: string): boolean {
      return invalidated.includes(fingerprint(accessToken));
    },
    invalidate(accessToken: string): void {
      const tokenFp = fingerprint(accessToken);
      if (!invalidated.includes(tokenFp)) {
        invalidated.push(tokenFp);
        if (invalidated.length > MAX_INVALIDATED) invalidated.shift();
      }
      if (current?.accessToken === accessToken) current = null;
    },
    /** A new grant: nothing of the old connection is remembered. */
    reset(): void {
      current = null;
      invalidated.length = 0;
    },
  };
}

export type CredentialCache = ReturnType<typeof createCredentialCache>;
