import type { SupabaseClient } from '@supabase/supabase-js';
import { run } from './run.js';

/**
 * The Zoho token row. Access and refresh token are ciphertext made by the application with
 * TOKEN_ENCRYPTION_KEY; this package never sees them in plain text.
 */
export interface TokenRow {
  access_token_ciphertext: string | null;
  refresh_token_ciphertext: string;
  access_token_expires_at: string | null;
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

export function tokensRepository(supabase: SupabaseClient) {
  return {
    async load(): Promise<TokenRow | null> {
      return run<TokenRow>(
        'read Zoho tokens',
        supabase
          .from('zoho_tokens')
          .select(
            'access_token_ciphertext, refresh_token_ciphertext, access_token_expires_at, api_domain, accounts_server, last_refresh_at, last_refresh_error_code, last_refresh_error_message, last_refresh_error_at',
          )
          .eq('id', 1)
          .maybeSingle(),
      );
    },

    async save(row: TokenRow): Promise<void> {
      await run(
        'store Zoho tokens',
        supabase
          .from('zoho_tokens')
          .upsert({ id: 1, ...row, updated_at: new Date().toISOString() }, { onConflict: 'id' }),
      );
    },

    async recordRefreshFailure(f: { code: string; message: string; at: Date }): Promise<void> {
      await run(
        'record token refresh failure',
        supabase
          .from('zoho_tokens')
          .update({
            last_refresh_error_code: f.code,
            last_refresh_error_message: f.message,
            last_refresh_error_at: f.at.toISOString(),
            updated_at: new Date().toISOString(),
          })
          .eq('id', 1),
      );
    },

    /** What health may show: expiry and refresh history, never the ciphertext. */
    async status(): Promise<TokenStatus> {
      return (await run<TokenStatus>('read token status', supabase.rpc('zoho_token_status'))) ?? { exists: false };
    },
  };
}

export type TokensRepository = ReturnType<typeof tokensRepository>;
