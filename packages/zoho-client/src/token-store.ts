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
  /**
   * When the current access token was issued: with the expiry it gives the lifetime Zoho issued it
   * for, which caps the safety margin (token-manager/margin.ts). Null when unknown (no token yet, or a row
   * stored before it was recorded).
   */
  accessTokenIssuedAt: Date | null;
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

/** What a successful refresh changes; the rest of the row (grant, accounts server, errors) stays. */
export interface RefreshedTokens {
  accessTokenCiphertext: string;
  accessTokenIssuedAt: Date;
  accessTokenExpiresAt: Date;
  apiDomain: string;
  /** The refreshed grant's, or a new one if Zoho ever rotates refresh tokens. */
  refreshTokenCiphertext: string;
  lastRefreshAt: Date;
}

export interface TokenStore {
  load(): Promise<StoredTokens | null>;
  /** Replaces the whole row (a new grant: code exchange, seeding). */
  save(tokens: StoredTokens): Promise<void>;
  /**
   * Compare-and-set: writes the refresh's result only while the row still holds `grant` (the
   * refresh-token ciphertext the refresh was made with; every stored grant is encrypted with a fresh
   * nonce, so a re-connection always changes it). False = a new grant was stored meanwhile and
   * nothing was written, so a refresh in flight can never put the old grant back.
   */
  saveRefreshed(grant: string, refreshed: RefreshedTokens): Promise<boolean>;
  /**
   * Only the three lastRefreshError* fields change; a no-op when nothing is stored, or when `grant`
   * is given and the row no longer holds it (a stale grant's failure must not mark the new one).
   */
  recordRefreshFailure(failure: RefreshFailure, grant?: string): Promise<void>;
}

function copy(tokens: StoredTokens): StoredTokens {
  return {
    ...tokens,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt ? new Date(tokens.accessTokenExpiresAt) : null,
    accessTokenIssuedAt: tokens.accessTokenIssuedAt ? new Date(tokens.accessTokenIssuedAt) : null,
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

  async saveRefreshed(grant: string, refreshed: RefreshedTokens): Promise<boolean> {
    if (this.#tokens?.refreshTokenCiphertext !== grant) return false;
    this.saves += 1;
    this.#tokens = copy({ ...this.#tokens, ...refreshed });
    return true;
  }

  async recordRefreshFailure(failure: RefreshFailure, grant?: string): Promise<void> {
    if (!this.#tokens || (grant !== undefined && this.#tokens.refreshTokenCiphertext !== grant)) return;
    this.#tokens = {
      ...this.#tokens,
      lastRefreshErrorCode: failure.code,
      lastRefreshErrorMessage: failure.message,
      lastRefreshErrorAt: new Date(failure.at),
    };
  }
}
