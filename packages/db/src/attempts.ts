import type { SupabaseClient } from '@supabase/supabase-js';
import { run } from './run.js';

export interface SyncAttemptRow {
  id: number;
  lead_id: string;
  batch_id: string | null;
  worker: string | null;
  attempted_at: string;
  outcome: 'synced' | 'failed' | 'retry' | 'superseded' | 'released';
  zoho_id: string | null;
  zoho_action: string | null;
  error_code: string | null;
  error_message: string | null;
}

export function attemptsRepository(supabase: SupabaseClient) {
  return {
    async forLead(leadId: string, limit = 50): Promise<SyncAttemptRow[]> {
      const rows = await run<SyncAttemptRow[]>(
        'read sync attempts',
        supabase
          .from('sync_attempts')
          .select('*')
          .eq('lead_id', leadId)
          .order('attempted_at', { ascending: false })
          .limit(limit),
      );
      return rows ?? [];
    },
  };
}

export type AttemptsRepository = ReturnType<typeof attemptsRepository>;
