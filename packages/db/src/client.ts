import { createRequire } from 'node:module';
import { createClient, type SupabaseClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import { pooledFetch } from './pooled-fetch.js';

type Transport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;

export interface DbConfig {
  /** The Supabase project URL; REST is served at `${url}/rest/v1`. */
  url: string;
  serviceRoleKey: string;
  /** Per-request timeout, so a hung gateway turns into a retryable error instead of a hung request. */
  timeoutMs?: number;
  /** Leads that may wait for intake's next database call before more are refused (503); see INTAKE_GROUP_COMMIT. */
  intakeMaxWaiting?: number;
}

/**
 * supabase-js with the service role, for servers: no session persistence, no token refresh.
 * Node 20 has no global WebSocket and supabase-js builds its realtime client eagerly (and throws
 * without one), so the `ws` package is handed over there; realtime itself is never used. It is
 * required only then: Node 22+ has a WebSocket and need not load `ws` at start-up.
 */
export function createSupabase(config: DbConfig): SupabaseClient {
  const fetch = pooledFetch({ connections: 64, timeoutMs: config.timeoutMs ?? 10000 });
  return createClient(config.url, config.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: { fetch },
    ...(typeof globalThis.WebSocket === 'undefined'
      ? { realtime: { transport: createRequire(import.meta.url)('ws') as Transport } }
      : {}),
  });
}
