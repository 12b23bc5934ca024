/**
 * Where Zoho tokens live between processes. Implemented over the database by packages/db; this
 * package only ever hands it ciphertext (crypto.ts), so the database never holds a usable token.
 * One store = one Zoho connection (one refresh token).
 */
export interface StoredTokens {
  /** `v1:…` ciphertext of the current access token, or null before the first refresh. */
  accessTokenCiphertext: string | null;
  refreshTokenCiphertext: string;
  accessTokenExpiresAt: Date | null;
  /** From the latest token response: where the CRM API of this account lives. */
  apiDomain: string;
  /** The accounts server (data centre) that issued the refresh token. */
  accountsServer: string;
  lastRefreshAt: Date | null;
  lastRefreshErrorCode: string | null;
  lastRefreshErrorMessage: string | null;
  lastRefreshErrorAt: Date | null;
}

export interface RefreshFailure {
  code: string;
  message: string;
  at: Date;
}

export interface TokenStore {
  load(): Promise<StoredTokens | null>;
  /** Replaces the whole row. */
  save(tokens: StoredTokens): Promise<void>;
  /** Only the three lastRefreshError* fields change; a no-op when nothing is stored. */
  recordRefreshFailure(failure: RefreshFailure): Promise<void>;
}

function copy(tokens: StoredTokens): StoredTokens {
  return {
    ...tokens,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt ? new Date(tokens.accessTokenExpiresAt) : null,
    lastRefreshAt: tokens.lastRefreshAt ? new Date(tokens.lastRefreshAt) : null,
    lastRefreshErrorAt: tokens.lastRefreshErrorAt ? new Date(tokens.lastRefreshErrorAt) : null,
  };
}

/** For tests and single-process tools. Share one instance between managers to mimic one database. */
export class InMemoryTokenStore implements TokenStore {
  #tokens: StoredTokens | null;
  saves = 0;

  constructor(initial: StoredTokens | null = null) {
    this.#tokens = initial ? copy(initial) : null;
  }

  async load(): Promise<StoredTokens | null> {
    return this.#tokens ? copy(this.#tokens) : null;
  }

  async save(tokens: StoredTokens): Promise<void> {
    this.saves += 1;
    this.#tokens = copy(tokens);
  }

  async recordRefreshFailure(failure: RefreshFailure): Promise<void> {
    if (!this.#tokens) return;
    this.#tokens = {
      ...this.#tokens,
      lastRefreshErrorCode: failure.code,
      lastRefreshErrorMessage: failure.message,
      lastRefreshErrorAt: new Date(failure.at),
    };
  }
}
