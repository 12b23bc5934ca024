import { connectZoho, issueState, STATE_TTL_MS, stateKey } from '@leadsync/zoho-client';
import { type Context, requireZoho } from '../context.js';
import { CliError } from '../errors.js';

/** `auth-url`: a consent URL whose state the API's callback accepts. */
export async function authUrl(ctx: Context): Promise<void> {
  const zoho = requireZoho(ctx);
  // Signed like the API's, so the API's callback accepts it; no browser cookie to bind to.
  const { state } = issueState(stateKey(ctx.config.CRON_SECRET), 'cli');
  ctx.say(zoho.oauth.buildConsentUrl({ state }));
  ctx.say(
    `\nOpen it within ${STATE_TTL_MS / 60_000} minutes. Zoho returns to ${ctx.config.ZOHO_REDIRECT_URI}; if the API is not running there, copy the code (and accounts-server) from the address bar and run: npm run leadsync -- exchange-code <code> --accounts-server <url>`,
  );
}

/** `exchange-code <code> [--accounts-server URL]`: the API's code exchange, from a terminal. */
export async function exchangeCode(ctx: Context, code: string | undefined, accountsServer?: string): Promise<void> {
  const zoho = requireZoho(ctx);
  if (!code) throw new CliError('exchange-code needs the grant code: npm run leadsync -- exchange-code <code>');
  // As the API does in immediate mode: leads held back for want of a connection go at once.
  const producer = ctx.config.SYNC_MODE === 'immediate' ? await ctx.producer() : undefined;
  const nudge = producer ? () => producer.enqueueDrain({ reason: 'admin' }) : undefined;
  const connected = await connectZoho(zoho, { code, accountsServer }, nudge);
  ctx.say(`Zoho connected: accounts server ${connected.accountsServer}, CRM API ${connected.apiDomain ?? 'unknown'}.`);
}
