// `npm run leadsync -- <command>`: Zoho onboarding and operations without a browser or curl.
// Configured by the same environment as the API (it talks to Supabase and Redis directly);
// every failure ends the process with exit code 1 and one line saying what is wrong.
import { parseArgs } from 'node:util';
import { type ApiConfig, loadApiConfig } from '@leadsync/api';
import { ConfigError } from '@leadsync/config';
import { createDb, type Db, DbError, LEAD_STATUSES } from '@leadsync/db';
import { createSyncProducer, type SyncProducer } from '@leadsync/queue';
import { type ZohoConnection, ZohoError } from '@leadsync/zoho-client';
import { Redis } from 'ioredis';
import { createJobResults } from '../apps/api/src/job-results.js';
import { describeOnboardingError, NOT_CONFIGURED } from '../apps/api/src/oauth/outcome.js';
import { issueState, STATE_TTL_MS, stateKey } from '../apps/api/src/oauth/state.js';
import { connectZoho } from '../apps/api/src/routes/oauth.js';
import { createApiZoho } from '../apps/api/src/zoho.js';

const USAGE = `usage: npm run leadsync -- <command>

  auth-url                                 print a Zoho consent URL (open it, consent; Zoho returns to ZOHO_REDIRECT_URI)
  exchange-code <code> [--accounts-server URL]
                                           exchange a grant code (e.g. from Zoho's Self Client) and store the tokens
  status                                   Zoho connection and lead counts
  sync [--limit N] [--wait]                drain pending leads now (the worker does it); --wait prints the outcome
  retry-failed                             put every failed lead back to pending and drain`;

/** A failure the user can act on: printed as one line, exit code 1. */
class CliError extends Error {}

interface Context {
  config: ApiConfig;
  db: Db;
  redis: Redis;
  zoho: ZohoConnection | null;
  producer(): Promise<SyncProducer>;
}

const say = (line: string) => console.log(line);

function requireZoho(ctx: Context): ZohoConnection {
  if (!ctx.zoho) throw new CliError(NOT_CONFIGURED.message);
  return ctx.zoho;
}

const commands: Record<string, (ctx: Context, args: string[], flags: Flags) => Promise<void>> = {
  async 'auth-url'(ctx) {
    const zoho = requireZoho(ctx);
    // Signed like the API's, so the API's callback accepts it; no browser cookie to bind to.
    const { state } = issueState(stateKey(ctx.config.CRON_SECRET), 'cli');
    say(zoho.oauth.buildConsentUrl({ state }));
    say(
      `\nOpen it within ${STATE_TTL_MS / 60_000} minutes. Zoho returns to ${ctx.config.ZOHO_REDIRECT_URI}; if the API is not running there, copy the code (and accounts-server) from the address bar and run: npm run leadsync -- exchange-code <code> --accounts-server <url>`,
    );
  },

  async 'exchange-code'(ctx, args, flags) {
    const zoho = requireZoho(ctx);
    const code = args[0];
    if (!code) throw new CliError('exchange-code needs the grant code: npm run leadsync -- exchange-code <code>');
    const producer = ctx.config.SYNC_MODE === 'immediate' ? await ctx.producer() : undefined;
    const connected = await connectZoho(zoho, { code, accountsServer: flags['accounts-server'] }, producer);
    say(`Zoho connected: accounts server ${connected.accounts_server}, CRM API ${connected.api_domain ?? 'unknown'}.`);
  },

  async status(ctx) {
    const [token, leads] = await Promise.all([ctx.db.tokens.status(), ctx.db.stats.leads()]);
    if (!token.exists) {
      say('Zoho: not connected (run auth-url or exchange-code)');
    } else {
      const error = token.last_refresh_error_code
        ? `; last refresh error ${token.last_refresh_error_code} at ${token.last_refresh_error_at}`
        : '';
      say(
        `Zoho: connected via ${token.accounts_server}; access token expires ${token.expires_at ?? 'not yet issued'}; last refresh ${token.last_refresh_at ?? 'never'}${error}`,
      );
    }
    if (ctx.zoho) {
      const live = await ctx.zoho.tokens.status();
      if (live.needsReauthorization) say('Zoho: the refresh token is revoked: authorise again (auth-url)');
      else if (live.refreshFailing) say('Zoho: token refresh is failing (see the error above)');
      say(`Zoho: ${live.refreshesInWindow}/${live.refreshLimit.max} refreshes used in the current 10-minute window`);
    } else {
      say('Zoho: no client configured (ZOHO_CLIENT_ID / ZOHO_CLIENT_SECRET)');
    }
    const byStatus = LEAD_STATUSES.map((s) => `${s} ${leads.by_status[s]}`).join(', ');
    const rate = leads.success_rate === null ? 'n/a' : `${Math.round(leads.success_rate * 1000) / 10} %`;
    say(`Leads: ${leads.total} (${byStatus}); last 24 h ${leads.last_24h}; success rate ${rate}`);
  },

  async sync(ctx, _args, flags) {
    let limit: number | undefined;
    if (flags.limit !== undefined) {
      limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) {
        throw new CliError('--limit must be a whole number from 1 to 100000');
      }
    }
    const producer = await ctx.producer();
    const jobId = await producer.enqueueDrain({ reason: 'cli', limit });
    if (!jobId) throw new CliError('the drain job got no id');
    if (!flags.wait) {
      say(`Drain job ${jobId} queued; a worker runs it (see /admin/queues).`);
      return;
    }
    const results = createJobResults(ctx.config);
    try {
      // Longer than the API's wait: nobody else is held up by a terminal.
      const outcome = await results.wait(producer.queue, jobId, 10 * 60_000);
      if (outcome.state === 'running') {
        throw new CliError(`drain job ${jobId} is still running after 10 minutes (is a worker running?)`);
      }
      if (outcome.state === 'failed') throw new CliError(`drain job ${jobId} failed: ${outcome.reason}`);
      const r = (outcome.value ?? {}) as Record<string, unknown>;
      say(
        `Drain job ${jobId}: claimed ${r.claimed ?? 0}, synced ${r.synced ?? 0}, failed ${r.failed ?? 0}, retrying ${r.retrying ?? 0}${r.tokenRefreshed ? ', token refreshed' : ''}.`,
      );
    } finally {
      await results.close();
    }
  },

  async 'retry-failed'(ctx) {
    let retried = 0;
    // Each retry takes the lead out of "failed", so every round sees only leads not yet retried.
    for (let round = 0; round < 1000; round++) {
      const ids = await ctx.db.leads.idsByStatus('failed', 500);
      if (ids.length === 0) break;
      for (const id of ids) if (await ctx.db.leads.retry(id)) retried++;
    }
    if (retried === 0) {
      say('No failed leads.');
      return;
    }
    const jobId = await (await ctx.producer()).enqueueDrain({ reason: 'cli' });
    say(`${retried} failed ${retried === 1 ? 'lead is' : 'leads are'} pending again; drain job ${jobId} queued.`);
  },
};

type Flags = { 'accounts-server'?: string; limit?: string; wait?: boolean; help?: boolean };

function oneLine(err: unknown, config: ApiConfig | undefined): string {
  if (err instanceof CliError || err instanceof ConfigError) return err.message;
  if (err instanceof ZohoError) {
    const described = describeOnboardingError(err, { redirectUri: config?.ZOHO_REDIRECT_URI ?? '' });
    return described?.message ?? err.message;
  }
  if (err instanceof DbError) return `Supabase: ${err.message} (SUPABASE_URL=${config?.SUPABASE_URL ?? '?'})`;
  const message = (err as Error)?.message ?? String(err);
  if (/ECONNREFUSED|ETIMEDOUT|ENOTFOUND|Connection is closed/.test(message)) {
    return `cannot reach a service: ${message} (check REDIS_URL and SUPABASE_URL)`;
  }
  return message;
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        'accounts-server': { type: 'string' },
        limit: { type: 'string' },
        wait: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    console.error(`leadsync: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [name, ...args] = parsed.positionals;
  const flags = parsed.values as Flags;
  const command = name === undefined ? undefined : commands[name];
  if (flags.help || !command) {
    (command || flags.help ? console.log : console.error)(USAGE);
    return flags.help ? 0 : 2;
  }

  let config: ApiConfig | undefined;
  const opened: Array<() => unknown> = [];
  try {
    config = loadApiConfig();
    const db = createDb({ url: config.SUPABASE_URL, serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY });
    // A plain client (the API's fails fast while connecting, which a one-shot command always is).
    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on('error', () => {});
    opened.push(() => redis.disconnect());
    let producer: SyncProducer | undefined;
    const cfg = config;
    const ctx: Context = {
      config,
      db,
      redis,
      zoho: createApiZoho(config, db, redis),
      async producer() {
        if (!producer) {
          producer = createSyncProducer({ redisUrl: cfg.REDIS_URL, prefix: cfg.REDIS_PREFIX });
          const p = producer;
          opened.push(() => p.queue.getBackend().close(true));
          await p.queue.waitUntilReady();
        }
        return producer;
      },
    };
    await command(ctx, args, flags);
    return 0;
  } catch (err) {
    console.error(`leadsync ${name}: ${oneLine(err, config)}`);
    return 1;
  } finally {
    await Promise.all(opened.map(async (close) => close())).catch(() => {});
  }
}

process.exit(await main());
