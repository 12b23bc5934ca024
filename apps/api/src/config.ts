import { isIP } from 'node:net';
import { apiPortSchema, parseEnv, sharedEnvSchema, syncModeSchema, zohoRedirectUri } from '@leadsync/config';
import { type DbConfig, INTAKE_GROUP_COMMIT } from '@leadsync/db';
import { z } from 'zod';

/** Express's own names for address ranges, accepted in TRUST_PROXY beside addresses and CIDRs. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrCidr(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

const TRUST_PROXY_FORMS =
  'a hop count (the number of proxies in front of the API, e.g. 1) or a comma list of proxy addresses/CIDRs';

/**
 * Express's `trust proxy`: off unless asked. `true` is refused: it trusts every X-Forwarded-For
 * hop, and since a proxy appends to the header the client sent, the client would choose the
 * address the rate limit counts. A hop count or the proxies' addresses stop at the last hop a
 * proxy of ours wrote.
 */
const trustProxy = z
  .string()
  .default('false')
  .transform((raw, ctx): false | number | string[] => {
    const value = raw.trim();
    if (value.toLowerCase() === 'true') {
      ctx.addIssue({
        code: 'custom',
        message: `must be ${TRUST_PROXY_FORMS}, not true: trusting every X-Forwarded-For hop lets any client choose the address the rate limit counts`,
      });
      return z.NEVER;
    }
    if (value === 'false') return false;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    const bad = entries.find((e) => !isAddressOrCidr(e));
    if (entries.length === 0 || bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `must be ${TRUST_PROXY_FORMS}, or false (bad entry: ${bad ?? raw})` });
      return z.NEVER;
    }
    return entries;
  });

/** A browser sends its Origin without a path or trailing slash, so that is what we compare against. */
const corsOrigins = z
  .string()
  .default('')
  .transform((raw, ctx) => {
    const origins: string[] = [];
    for (const entry of raw
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)) {
      let url: URL | undefined;
      try {
        url = new URL(entry);
      } catch {}
      if (!url || !['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search || url.hash) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a comma list of origins like https://example.com (bad: ${entry})`,
        });
        return z.NEVER;
      }
      origins.push(url.origin);
    }
    return origins;
  });

const httpUrl = (fallback: string) =>
  z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).default(fallback);

/** An unset variable and an empty one mean the same: no secret, no captcha check. */
const optionalSecret = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

/** The spam filter (intake/spam.ts): honeypot and fill time always; a captcha when a secret is set. */
const spamEnv = {
  SPAM_MIN_FILL_MS: z.coerce
    .number({ error: 'must be a whole number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(0, 'must be a whole number of milliseconds')
    .default(3000),
  TURNSTILE_SECRET_KEY: optionalSecret,
  TURNSTILE_VERIFY_URL: httpUrl('https://challenges.cloudflare.com/turnstile/v0/siteverify'),
  HCAPTCHA_SECRET: optionalSecret,
  HCAPTCHA_VERIFY_URL: httpUrl('https://api.hcaptcha.com/siteverify'),
  CAPTCHA_TIMEOUT_MS: z.coerce
    .number({ error: 'must be a whole number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(1, 'must be a whole number of milliseconds')
    .default(3000),
};

export const apiEnvSchema = sharedEnvSchema
  .extend({
    PORT: apiPortSchema,
    CORS_ORIGINS: corsOrigins,
    INTAKE_RATE_LIMIT: z.coerce
      .number({ error: 'must be a whole number of requests a minute (0 turns it off)' })
      .int('must be a whole number of requests a minute (0 turns it off)')
      .min(0, 'must be a whole number of requests a minute (0 turns it off)')
      .default(60),
    /** Leads one process lets wait for its next database call; past it intake answers 503 with Retry-After. */
    INTAKE_MAX_WAITING: z.coerce
      .number({ error: 'must be a whole number of leads (at least 1)' })
      .int('must be a whole number of leads (at least 1)')
      .min(1, 'must be a whole number of leads (at least 1)')
      .default(INTAKE_GROUP_COMMIT.maxWaiting),
    TRUST_PROXY: trustProxy,
    ZOHO_REDIRECT_URI: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).optional(),
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'must be a size like 100kb or 1mb')
      .default('100kb'),
    SYNC_MODE: syncModeSchema,
    /**
     * A request (headers and body) must arrive within this long, or the server answers 408 and
     * closes the connection: a client dribbling its body cannot hold a socket for minutes.
     */
    REQUEST_TIMEOUT_MS: z.coerce
      .number({ error: 'must be a whole number of milliseconds' })
      .int('must be a whole number of milliseconds')
      .min(500, 'must be at least 500 milliseconds')
      .default(30_000),
    /** The headers alone must arrive within this long (slowloris); capped at REQUEST_TIMEOUT_MS. */
    HEADERS_TIMEOUT_MS: z.coerce
      .number({ error: 'must be a whole number of milliseconds' })
      .int('must be a whole number of milliseconds')
      .min(500, 'must be at least 500 milliseconds')
      .default(10_000),
    ...spamEnv,
    /** A second password for Bull Board: the same board, read-only (no retry, clean, remove, pause). */
    BULL_BOARD_READ_ONLY_SECRET: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.string().min(16, 'must be at least 16 characters').optional(),
    ),
  })
  .refine((env) => env.BULL_BOARD_READ_ONLY_SECRET !== env.CRON_SECRET, {
    path: ['BULL_BOARD_READ_ONLY_SECRET'],
    message: 'must differ from CRON_SECRET (it grants less)',
  })
  .transform((env) => ({
    ...env,
    ZOHO_REDIRECT_URI: zohoRedirectUri(env),
  }));

export type ApiConfig = z.infer<typeof apiEnvSchema>;

/** What the API's database client is built from. */
export function apiDbConfig(config: ApiConfig): DbConfig {
  return {
    url: config.SUPABASE_URL,
    serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY,
    intakeMaxWaiting: config.INTAKE_MAX_WAITING,
  };
}

/** Throws ConfigError naming the first bad variable. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return parseEnv(apiEnvSchema, env);
}
