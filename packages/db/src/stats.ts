import type { SupabaseClient } from '@supabase/supabase-js';
import { countByStatus, type LeadSource, type LeadStatus } from './leads.js';
import { run } from './run.js';

export interface LeadStats {
  total: number;
  /** Every status, 0 included: dashboards and alerts need a series that exists before its first lead. */
  by_status: Record<LeadStatus, number>;
  by_source: Partial<Record<LeadSource, number>>;
  last_24h: number;
  /** synced / (synced + failed); null before any lead reached a final answer */
  success_rate: number | null;
  oldest_pending_at: string | null;
}

export function statsRepository(supabase: SupabaseClient) {
  return {
    async leads(): Promise<LeadStats> {
      const stats = await run<LeadStats>('read lead statistics', supabase.rpc('lead_stats'));
      if (!stats) throw new Error('lead_stats returned nothing');
      return { ...stats, by_status: countByStatus(stats.by_status) };
    },
  };
}
