// `npm run leadsync -- <command>`: Zoho onboarding and operations without a browser or curl.
// Configured by the same environment as the API (it talks to Supabase and Redis directly);
// every failure ends the process with exit code 1 and one line saying what is wrong.
import { parseArgs } from 'node:util';
import { authUrl, exchangeCode } from './commands/onboarding.js';
import { status } from './commands/status.js';
import { retryFailed, sync } from './commands/sync.js';
import { type CliConfig, loadCliConfig } from './config.js';
import { type Context, openContext } from './context.js';
import { oneLine } from './errors.js';

const USAGE = `usage: npm run leadsync -- <command>

  auth-url                                 print a Zoho consent URL (open it, consent; Zoho returns to ZOHO_REDIRECT_URI)
  exchange-code <code> [--accounts-server URL]
                                           exchange a grant code (e.g. from Zoho's Self Client) and store the tokens
  status                                   Zoho connection and lead counts
  sync [--limit N] [--wait]                drain pending leads now (the worker does it); --wait prints the outcome
  retry-failed                             put every failed lead back to pending and drain`;

type Flags = { 'accounts-server'?: string; limit?: string; wait?: boolean; help?: boolean };

const commands: Record<string, (ctx: Context, args: string[], flags: Flags) => Promise<void>> = {
  'auth-url': (ctx) => authUrl(ctx),
  'exchange-code': (ctx, args, flags) => exchangeCode(ctx, args[0], flags['accounts-server']),
  status: (ctx) => status(ctx),
  sync: (ctx, _args, flags) => sync(ctx, flags),
  'retry-failed': (ctx) => retryFailed(ctx),
};

/** Runs the command line's command; the exit code. cli.ts (the entry point) runs it once the compile cache is on. */
export async function main(): Promise<number> {
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

  let config: CliConfig | undefined;
  let close = async () => {};
  try {
    config = loadCliConfig();
    const opened = openContext(config);
    close = opened.close;
    await command(opened.ctx, args, flags);
    return 0;
  } catch (err) {
    console.error(`leadsync ${name}: ${oneLine(err, config)}`);
    return 1;
  } finally {
    await close();
  }
}
