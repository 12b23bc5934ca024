import type { ZohoConnection } from '../connection.js';
import { dataCenterForLocation } from '../data-centers.js';

export interface ConnectZohoInput {
  /** The grant code from Zoho's redirect (or a Self Client). */
  code: string;
  /** The `accounts-server` Zoho put on the redirect, for a code issued by another data centre. */
  accountsServer?: string | undefined;
  /** The `location` Zoho put on the redirect (a data centre's short name). */
  location?: string | undefined;
}

export interface ZohoConnected {
  accountsServer: string;
  /** Where this account's CRM API lives, from the token response; null if Zoho named none. */
  apiDomain: string | null;
  accessTokenExpiresAt: Date | null;
}

/**
 * Onboarding's code exchange, shared by the API's callback, its JSON endpoint and the CLI:
 * exchange the code at the accounts server Zoho named and store the grant through the token
 * store. The `accounts-server` is checked by the OAuth client against Zoho's data centres and
 * the configured servers before the code (and our client secret) is sent anywhere.
 *
 * `nudge`, when given, asks for a sync at once, so leads held back for want of a connection go
 * now (immediate mode; in daily mode they wait for the schedule like every lead). Its failure is
 * swallowed: the tokens are stored, which is what the person asked for, and the sweep picks the
 * leads up anyway.
 */
export async function connectZoho(
  zoho: ZohoConnection,
  input: ConnectZohoInput,
  nudge?: () => Promise<unknown>,
): Promise<ZohoConnected> {
  // Zoho always names the server; when only the location came, its DC table stands in.
  const named =
    input.accountsServer || (input.location ? dataCenterForLocation(input.location)?.accountsServer : undefined);
  const accountsServer = zoho.oauth.resolveAccountsServer(named);
  const grant = await zoho.oauth.exchangeCode({ code: input.code, accountsServer });
  await zoho.tokens.saveGrant(grant);
  await nudge?.().catch(() => undefined);
  const status = await zoho.tokens.status();
  return {
    accountsServer: grant.accountsServer,
    apiDomain: status.apiDomain,
    accessTokenExpiresAt: status.accessTokenExpiresAt,
  };
}
