import { type AttemptsRepository, attemptsRepository } from './attempts.js';
import { createSupabase, type DbConfig } from './client.js';
import { type LeadsRepository, leadsRepository } from './leads.js';
import { run } from './run.js';
import { statsRepository } from './stats.js';
import { type TokensRepository, tokensRepository } from './tokens.js';

export type { SyncAttemptRow } from './attempts.js';
export type { DbConfig } from './client.js';
export * from './errors.js';
export type {
  AttentionRow,
  ClaimedLead,
  IntakeInput,
  IntakeOutcome,
  IntakeResult,
  LeadFields,
  LeadRow,
  LeadSource,
  LeadStatus,
  SyncResult,
  TranscriptEntry,
} from './leads.js';
export { countByStatus, INTAKE_GROUP_COMMIT, LEAD_STATUSES } from './leads.js';
export type { LeadStats } from './stats.js';
export type { RefreshedZohoTokens, StoredZohoTokens, TokenStatus } from './tokens.js';

export interface Db {
  leads: LeadsRepository;
  attempts: AttemptsRepository;
  tokens: TokensRepository;
  stats: ReturnType<typeof statsRepository>;
  /** Cheap round trip through the gateway, PostgREST and Postgres (for /readyz). */
  ping(): Promise<void>;
}

export function createDb(config: DbConfig): Db {
  const supabase = createSupabase(config);
  return {
    leads: leadsRepository(
      supabase,
      config.intakeMaxWaiting === undefined ? {} : { maxWaiting: config.intakeMaxWaiting },
    ),
    attempts: attemptsRepository(supabase),
    tokens: tokensRepository(supabase),
    stats: statsRepository(supabase),
    ping: async () => {
      await run('ping', supabase.from('leads').select('id', { head: true }).limit(1));
    },
  };
}
