import { parseEnv, sharedEnvSchema, syncModeSchema } from '@leadsync/config';
import { z } from 'zod';

const ms = (def: number) => z.coerce.number().int().nonnegative().default(def);

const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** A duration such as `72h`, `90m`, `30s`, `3d`, or plain milliseconds; parsed to milliseconds. */
const duration = (def: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+(ms|s|m|h|d)?$/, 'must be a duration such as 72h, 90m, 30s or milliseconds')
    .default(def)
    .transform((v) => {
      const unit = (/[a-z]+$/.exec(v)?.[0] ?? 'ms') as keyof typeof DURATION_UNITS_MS;
      return Number.parseInt(v, 10) * DURATION_UNITS_MS[unit];
    });

export const workerEnvSchema = sharedEnvSchema.extend({
  // The worker cannot do its job without a Zoho client (the API can: it onboards one).
  ZOHO_CLIENT_ID: z.string().min(1),
  ZOHO_CLIENT_SECRET: z.string().min(1),
  SYNC_MODE: syncModeSchema,
  SYNC_CRON: z.string().min(9, 'must be a cron pattern such as "0 9 * * *"').default('0 9 * * *'),
  SYNC_TZ: z.string().default('UTC'),
  /** Zoho's upsert takes at most 100 records a call. */
  SYNC_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(100),
  /**
   * Zoho calls in flight across ALL workers together (cluster-wide, enforced by the sync queue's
   * BullMQ global concurrency; any number of worker processes may run). Zoho allows 10 concurrent
   * upserts of more than 10 records per org (docs/zoho-crm.md §8.2); 8 leaves 2 for the org's
   * other tools.
   */
  SYNC_CONCURRENCY: z.coerce.number().int().min(1).max(25).default(8),
  /**
   * How long transient failures (network, timeouts, 5xx, Zoho unreachable) are retried, counted
   * from a lead's first failure, before it is marked failed. Zoho's maintenance windows and
   * outages last hours, so a count of attempts is no measure.
   */
  SYNC_RETRY_HORIZON: duration('72h'),
  /**
   * No longer ends a lead (the horizon does); still accepted so existing env files start, and the
   * worker says at start-up that it is ignored.
   */
  SYNC_MAX_ATTEMPTS: z.coerce.number().int().min(1).optional(),
  /** First delay between tries; it doubles (with jitter) per try, for a lead and for an outage as a whole. */
  SYNC_BACKOFF_BASE_MS: ms(5_000),
  /** The longest delay between tries, so the sync is back within this once Zoho is. */
  SYNC_BACKOFF_MAX_MS: duration('15m'),
  /**
   * A claimed lead's lease: renewed every third of it while its batch job runs, so it only runs
   * out when the worker is gone; then the lead is claimable again after at most this long.
   */
  SYNC_LEASE_SECONDS: z.coerce.number().int().min(10).default(30),
  /** In immediate mode: how often due leads are swept up (expired leases, retries, lost nudges); 0 = never. */
  SYNC_SWEEP_EVERY_MS: ms(60_000),
  /**
   * The token job runs this often and renews the access token when less than TOKEN_REFRESH_AHEAD_MS
   * is left. Both that and TOKEN_SAFETY_MARGIN_MS are capped at a quarter of the lifetime the token
   * was issued with, so a short-lived token is still used for three quarters of its life.
   */
  TOKEN_REFRESH_EVERY_MS: z.coerce.number().int().min(1000).default(300_000),
  TOKEN_REFRESH_AHEAD_MS: z.coerce.number().int().min(1000).default(900_000),
  /** A sync never uses an access token with less than this left (it refreshes first). */
  TOKEN_SAFETY_MARGIN_MS: z.coerce.number().int().min(0).default(300_000),
  /** How long to leave leads alone when Zoho needs an operator (re-authorise, fix configuration). */
  SYNC_OPERATOR_WAIT_MS: ms(300_000),
  /**
   * No longer used: a 429 is handled by its cause (docs/zoho-crm.md §8). Still accepted so existing
   * env files start; the worker says at start-up that it is ignored.
   */
  ZOHO_RATE_LIMIT_WAIT_MS: z.coerce.number().int().min(0).optional(),
  /**
   * API credits left to the org's other tools: a number (`1000`) or a share of the day's
   * (`10%`, needs ZOHO_DAILY_CREDITS). As the credits Zoho reports approach it the sync slows
   * down, and at it the sync waits for credits to come back.
   */
  ZOHO_CREDIT_RESERVE: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?%$|^\d+$/, 'must be a number of credits (1000) or a percentage (10%)')
    .default('1000'),
  /** The org's API credits per 24 hours (Zoho's Setup → APIs shows it); only a percentage reserve needs it. */
  ZOHO_DAILY_CREDITS: z.coerce.number().int().min(1).optional(),
  /** After Zoho said the credits are used up: the next try, doubled on each repeat up to 4×. */
  ZOHO_CREDITS_PROBE_EVERY: duration('1h'),
  /** How often one worker of the cluster checks health and posts alerts; 0 = never. */
  HEALTH_CHECK_EVERY_MS: ms(60_000),
  ZOHO_FIELD_MAPPING_FILE: z.string().optional(),
  WORKER_ID: z.string().optional(),
});

export type WorkerConfig = z.infer<typeof workerEnvSchema>;

/** ZOHO_CREDIT_RESERVE in credits; a percentage is of ZOHO_DAILY_CREDITS (config validation makes sure it is set). */
export function creditReserve(config: Pick<WorkerConfig, 'ZOHO_CREDIT_RESERVE' | 'ZOHO_DAILY_CREDITS'>): number {
  const raw = config.ZOHO_CREDIT_RESERVE;
  if (!raw.endsWith('%')) return Number(raw);
  return Math.ceil(((config.ZOHO_DAILY_CREDITS ?? 0) * Number(raw.slice(0, -1))) / 100);
}

const workerEnvChecked = workerEnvSchema.superRefine((env, ctx) => {
  if (env.ZOHO_CREDIT_RESERVE.endsWith('%') && env.ZOHO_DAILY_CREDITS === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['ZOHO_CREDIT_RESERVE'],
      message: "a percentage needs ZOHO_DAILY_CREDITS (the org's credits per 24 h); or give a number of credits",
    });
  }
  if (env.ZOHO_CREDIT_RESERVE.endsWith('%') && Number(env.ZOHO_CREDIT_RESERVE.slice(0, -1)) >= 100) {
    ctx.addIssue({ code: 'custom', path: ['ZOHO_CREDIT_RESERVE'], message: 'must be below 100%' });
  }
});

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return parseEnv(workerEnvChecked, env);
}
