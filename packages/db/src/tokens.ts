import type { SupabaseClient } from '@supabase/supabase-js';
import { run } from './run.js';

/**
 * The Zoho connection as stored. Access and refresh token are ciphertext made by the application
 * with TOKEN_ENCRYPTION_KEY; this package never sees them in plain text. The shape is the
 * TokenStore of packages/zoho-client, so the repository plugs straight into its token manager.
 */
export interface StoredZohoTokens {
  accessTokenCiphertext: string | null;
  refreshTokenCiphertext: string;
  accessTokenExpiresAt: Date | null;
  accessTokenIssuedAt: Date | null;
  apiDomain: string;
  accountsServer: string;
  lastRefreshAt: Date | null;
  lastRefreshErrorCode: string | null;
  lastRefreshErrorMessage: string | null;
  lastRefreshErrorAt: Date | null;
}

/** What a successful refresh writes (the TokenManager's RefreshedTokens): not the accounts server or the error record. */
export type RefreshedZohoTokens = Omit<
  StoredZohoTokens,
  'accountsServer' | 'lastRefreshErrorCode' | 'lastRefreshErrorMessage' | 'lastRefreshErrorAt'
>;

interface TokenRow {
  access_token_ciphertext: string | null;
  refresh_token_ciphertext: string;
  access_token_expires_at: string | null;
  access_token_issued_at: string | null;
  api_domain: string;
  accounts_server: string;
  last_refresh_at: string | null;
  last_refresh_error_code: string | null;
  last_refresh_error_message: string | null;
  last_refresh_error_at: string | null;
}

export interface TokenStatus {
  exists: boolean;
  expires_at?: string | null;
  api_domain?: string;
  accounts_server?: string;
  last_refresh_at?: string | null;
  last_refresh_error_code?: string | null;
  last_refresh_error_message?: string | null;
  last_refresh_error_at?: string | null;
}

const toDate = (v: string | null) => (v ? new Date(v) : null);
const toIso = (v: Date | null) => (v ? v.toISOString() : null);

function fromRow(r: TokenRow): StoredZohoTokens {
  return {
    accessTokenCiphertext: r.access_token_ciphertext,
    refreshTokenCiphertext: r.refresh_token_ciphertext,
    accessTokenExpiresAt: toDate(r.access_token_expires_at),
    accessTokenIssuedAt: toDate(r.access_token_issued_at),
    apiDomain: r.api_domain,
    accountsServer: r.accounts_server,
    lastRefreshAt: toDate(r.last_refresh_at),
    lastRefreshErrorCode: r.last_refresh_error_code,
    lastRefreshErrorMessage: r.last_refresh_error_message,
    lastRefreshErrorAt: toDate(r.last_refresh_error_at),
  };
}

function toRow(t: StoredZohoTokens): TokenRow {
  return {
    access_token_ciphertext: t.accessTokenCiphertext,
    refresh_token_ciphertext: t.refreshTokenCiphertext,
    access_token_expires_at: toIso(t.accessTokenExpiresAt),
    access_token_issued_at: toIso(t.accessTokenIssuedAt),
    api_domain: t.apiDomain,
    accounts_server: t.accountsServer,
    last_refresh_at: toIso(t.lastRefreshAt),
    last_refresh_error_code: t.lastRefreshErrorCode,
    last_refresh_error_message: t.lastRefreshErrorMessage,
    last_refresh_error_at: toIso(t.lastRefreshErrorAt),
  };
}

const COLUMNS =
  'access_token_ciphertext, refresh_token_ciphertext, access_token_expires_at, access_token_issued_at, api_domain, accounts_server, last_refresh_at, last_refresh_error_code, last_refresh_error_message, last_refresh_error_at';

export function tokensRepository(supabase: SupabaseClient) {
  return {
    async load(): Promise<StoredZohoTokens | null> {
      const row = await run<TokenRow>(
        'read Zoho tokens',
        supabase.from('zoho_tokens').select(COLUMNS).eq('id', 1).maybeSingle(),
      );
      return row ? fromRow(row) : null;
    },

    /** Replaces the whole row. */
    async save(tokens: StoredZohoTokens): Promise<void> {
      await run(
        'store Zoho tokens',
        supabase
          .from('zoho_tokens')
          .upsert({ id: 1, ...toRow(tokens), updated_at: new Date().toISOString() }, { onConflict: 'id' }),
      );
    },

    /**
     * A refresh's result, written only while the row still holds `grant` (the refresh-token
     * ciphertext that was refreshed): one UPDATE … WHERE, so a grant stored meanwhile by a
     * re-connection is never overwritten. False = the row holds another grant; nothing was written.
     */
    async saveRefreshed(grant: string, t: RefreshedZohoTokens): Promise<boolean> {
      const rows = await run<{ id: number }[]>(
        'store refreshed Zoho token',
        supabase
          .from('zoho_tokens')
          .update({
            access_token_ciphertext: t.accessTokenCiphertext,
            access_token_issued_at: toIso(t.accessTokenIssuedAt),
            access_token_expires_at: toIso(t.accessTokenExpiresAt),
            api_domain: t.apiDomain,
            refresh_token_ciphertext: t.refreshTokenCiphertext,
            last_refresh_at: toIso(t.lastRefreshAt),
            updated_at: new Date().toISOString(),
          })
          .eq('id', 1)
          .eq('refresh_token_ciphertext', grant)
          .select('id'),
      );
      return (rows?.length ?? 0) > 0;
    },

    /**
     * Only the refresh-error fields change; a no-op when nothing is stored, or when `grant` is given
     * and the row holds another one (a stale grant's failure must not mark a new connection).
     */
    async recordRefreshFailure(f: { code: string; message: string; at: Date }, grant?: string): Promise<void> {
      const update = supabase
        .from('zoho_tokens')
        .update({
          last_refresh_error_code: f.code,
          last_refresh_error_message: f.message,
          last_refresh_error_at: f.at.toISOString(),
          updated_at: new Date().toISOString(),
        })
        .eq('id', 1);
      await run(
        'record token refresh failure',
        grant === undefined ? update : update.eq('refresh_token_ciphertext', grant),
      );
    },

    /** What health may show: expiry and refresh history, never the ciphertext. */
    async status(): Promise<TokenStatus> {
      return (await run<TokenStatus>('read token status', supabase.rpc('zoho_token_status'))) ?? { exists: false };
    },
  };
}

export type TokensRepository = ReturnType<typeof tokensRepository>;
