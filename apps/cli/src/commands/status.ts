import { LEAD_STATUSES, type LeadStats, type TokenStatus as StoredTokenStatus } from '@leadsync/db';
import type { TokenStatus as LiveTokenStatus } from '@leadsync/zoho-client';
import type { Context } from '../context.js';

/**
 * What `status` prints: the stored connection (the database row), the token manager's view of it
 * (null without a configured client), and the leads.
 */
export function statusLines(stored: StoredTokenStatus, live: LiveTokenStatus | null, leads: LeadStats): string[] {
  const lines: string[] = [];
  if (!stored.exists) {
    lines.push('Zoho: not connected (run auth-url or exchange-code)');
  } else {
    const error = stored.last_refresh_error_code
      ? `; last refresh error ${stored.last_refresh_error_code} at ${stored.last_refresh_error_at}`
      : '';
    lines.push(
      `Zoho: connected via ${stored.accounts_server}; access token expires ${stored.expires_at ?? 'not yet issued'}; last refresh ${stored.last_refresh_at ?? 'never'}${error}`,
    );
  }
  if (live) {
    if (live.needsReauthorization) lines.push('Zoho: the refresh token is revoked: authorise again (auth-url)');
    else if (live.refreshFailing) lines.push('Zoho: token refresh is failing (see the error above)');
    lines.push(
      `Zoho: ${live.refreshesInWindow}/${live.refreshLimit.max} refreshes used in the current 10-minute window`,
    );
  } else {
    lines.push('Zoho: no client configured (ZOHO_CLIENT_ID / ZOHO_CLIENT_SECRET)');
  }
  const byStatus = LEAD_STATUSES.map((s) => `${s} ${leads.by_status[s]}`).join(', ');
  const rate = leads.success_rate === null ? 'n/a' : `${Math.round(leads.success_rate * 1000) / 10} %`;
  lines.push(`Leads: ${leads.total} (${byStatus}); last 24 h ${leads.last_24h}; success rate ${rate}`);
  return lines;
}

/** `status`: Zoho connection, refresh budget, lead counts. */
export async function status(ctx: Context): Promise<void> {
  const [stored, leads] = await Promise.all([ctx.db.tokens.status(), ctx.db.stats.leads()]);
  const live = ctx.zoho ? await ctx.zoho.tokens.status() : null;
  for (const line of statusLines(stored, live, leads)) ctx.say(line);
}
