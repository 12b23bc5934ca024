import { z } from 'zod';

/** A missing or malformed variable: the process stops with this one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The local stack's URL and the Supabase CLI's well-known service-role key (public demo values). */
export const LOCAL_SUPABASE_URL = 'http://127.0.0.1:54321';
export const LOCAL_SERVICE_ROLE_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU';

const url = (protocols: string[]) =>
  z.url({ protocol: new RegExp(`^(${protocols.join('|')})$`), error: `must be a ${protocols.join(' or ')} URL` });

const base64Key32 = z
  .string()
  .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, {
    message: 'must be 32 bytes, base64-encoded (make one with: openssl rand -base64 32)',
  });

/** Variables both processes read. Each app extends this with its own. */
export const sharedEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('production'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:{}_-]+$/, 'may hold letters, digits and : { } _ -')
    .default('leadsync'),
  /**
   * Startup nodes of a Redis Cluster (comma list of host:port); unset means REDIS_URL is one Redis
   * server. With it, REDIS_URL still gives the username, password and TLS (rediss://) every node
   * uses, and REDIS_PREFIX must hold a hash tag (see clusterPrefixIssue).
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .default('')
    .transform((raw, ctx) => {
      const entries = raw
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean);
      const nodes: RedisNode[] = [];
      for (const entry of entries) {
        const node = parseRedisNode(entry);
        if (!node) {
          ctx.addIssue({
            code: 'custom',
            message: `must be a comma list of host:port, e.g. redis-1:6379,redis-2:6379 (bad: ${entry})`,
          });
          return z.NEVER;
        }
        nodes.push(node);
      }
      return nodes;
    }),
  SUPABASE_URL: url(['http', 'https']).default(LOCAL_SUPABASE_URL),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(20, 'must be the service-role JWT').default(LOCAL_SERVICE_ROLE_KEY),
  ZOHO_CLIENT_ID: z.string().min(1).optional(),
  ZOHO_CLIENT_SECRET: z.string().min(1).optional(),
  ZOHO_ACCOUNTS_URL: url(['http', 'https']).default('https://accounts.zoho.com'),
  ZOHO_API_DOMAIN: url(['http', 'https']).default('https://www.zohoapis.com'),
  /**
   * Accounts servers trusted besides Zoho's data centres and ZOHO_ACCOUNTS_URL (comma list of
   * origins): a data centre missing from zoho-client's table, or the simulator's other DCs.
   */
  ZOHO_TRUSTED_ACCOUNTS_SERVERS: z
    .string()
    .default('')
    .transform((raw, ctx) => {
      const origins = raw
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean);
      const bad = origins.find((o) => !/^https?:\/\/[^/?#\s]+\/?$/.test(o));
      if (bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a comma list of origins like https://accounts.zoho.eu (bad: ${bad})`,
        });
        return z.NEVER;
      }
      return origins;
    }),
  ZOHO_API_VERSION: z
    .string()
    .regex(/^v\d+(\.\d+)?$/, 'must look like v8')
    .default('v8'),
  ZOHO_REFRESH_TOKEN: z.string().min(1).optional(),
  /** The API derives a default from its PORT. */
  ZOHO_REDIRECT_URI: url(['http', 'https']).optional(),
  ZOHO_TIMEOUT_MS: z.coerce.number().int().positive().default(15000),
  TOKEN_ENCRYPTION_KEY: base64Key32,
  CRON_SECRET: z.string().min(16, 'must be at least 16 characters'),
  ALERT_WEBHOOK_URL: url(['http', 'https']).optional(),
  /** Health recommends (and alerts) when more leads than this are pending. */
  HEALTH_PENDING_THRESHOLD: z.coerce.number().int().nonnegative().default(50),
  /** Health recommends (and alerts) when synced / (synced + failed) falls under this share. */
  HEALTH_SUCCESS_RATE_MIN: z.coerce.number().min(0).max(1, 'must be a share between 0 and 1, e.g. 0.8').default(0.8),
});

export type SharedEnv = z.infer<typeof sharedEnvSchema>;

/** One startup node of a Redis Cluster. */
export interface RedisNode {
  host: string;
  port: number;
}

/** `host:port` or `[ipv6]:port`; null when it is neither (one linear pattern, no backtracking). */
export function parseRedisNode(entry: string): RedisNode | null {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/.exec(entry);
  if (!m) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

/**
 * The hash tag Redis Cluster hashes a key by: the text between the first `{` and the first `}`
 * after it, if that text is not empty (the cluster specification's rule). null means the whole
 * key is hashed, so keys under this prefix land in different slots.
 */
export function redisHashTag(prefix: string): string | null {
  const open = prefix.indexOf('{');
  if (open === -1) return null;
  const close = prefix.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return null;
  return prefix.slice(open + 1, close);
}

/**
 * Why a configuration cannot run on Redis Cluster, or null. BullMQ's scripts and ours touch
 * several keys at once, which a cluster only allows within one slot; a hash tag in the prefix
 * puts every key of the deployment in the same one. Redis Cluster also has only database 0.
 */
export function clusterConfigIssue(env: {
  REDIS_URL?: unknown;
  REDIS_PREFIX?: unknown;
  REDIS_CLUSTER_NODES?: unknown;
}): { path: string; message: string } | null {
  // zod runs refinements even after a field failed: check the shape first
  if (!Array.isArray(env.REDIS_CLUSTER_NODES) || env.REDIS_CLUSTER_NODES.length === 0) return null;
  if (typeof env.REDIS_PREFIX === 'string' && redisHashTag(env.REDIS_PREFIX) === null) {
    return {
      path: 'REDIS_PREFIX',
      message:
        `must contain a hash tag such as {${env.REDIS_PREFIX.replace(/[{}]/g, '') || 'leadsync'}} when REDIS_CLUSTER_NODES is set: ` +
        'every key must hash to one cluster slot for BullMQ and the token lock to work (see docs/deploying.md, Running on Redis Cluster)',
    };
  }
  if (typeof env.REDIS_URL === 'string' && /^rediss?:\/\/[^/]*\/+0*[1-9]/.test(env.REDIS_URL)) {
    return {
      path: 'REDIS_URL',
      message: 'must not name a database when REDIS_CLUSTER_NODES is set (a cluster has only 0)',
    };
  }
  return null;
}

/** Whether a stored lead is sent at once (a nudge) or waits for the daily drain. */
export const syncModeSchema = z.enum(['immediate', 'daily']).default('immediate');

/** The API's port; the CLI reads it too, to name the API's OAuth callback the same way. */
export const apiPortSchema = z.coerce
  .number({ error: 'must be a port number (0-65535)' })
  .int('must be a port number (0-65535)')
  .min(0, 'must be a port number (0-65535)')
  .max(65535, 'must be a port number (0-65535)')
  .default(3000);

/**
 * Where Zoho sends the browser back after consent: the API's callback on this machine unless
 * ZOHO_REDIRECT_URI names another. A code exchange must present the very URI the consent named,
 * so every process that makes one (the API, the CLI) resolves it here.
 */
export function zohoRedirectUri(env: { PORT: number; ZOHO_REDIRECT_URI?: string | undefined }): string {
  return env.ZOHO_REDIRECT_URI ?? `http://localhost:${env.PORT}/auth/zoho/callback`;
}

/**
 * Parses the environment once, at start-up. NEXT_PUBLIC_SUPABASE_URL is accepted for
 * SUPABASE_URL because deployments of the original Next.js design set that one.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const input: Record<string, string | undefined> = { ...env };
  input.SUPABASE_URL ??= env.NEXT_PUBLIC_SUPABASE_URL;
  // An empty variable means "not set" (docker-compose and .env files write them that way).
  for (const [k, v] of Object.entries(input)) if (v === '') delete input[k];
  // Cross-field rules of the shared variables, for every schema extended from sharedEnvSchema.
  const checked = schema.superRefine((value, ctx) => {
    const issue = clusterConfigIssue((value ?? {}) as Record<string, unknown>);
    if (issue) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
  });
  const result = checked.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = issue.path.join('.') || 'environment';
  const message =
    issue.code === 'invalid_type' && input[name] === undefined ? 'is required but not set' : issue.message;
  throw new ConfigError(`${name} ${message}`);
}
