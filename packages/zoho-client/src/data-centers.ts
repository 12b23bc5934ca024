import { RejectedRequestError } from './errors.js';

/**
 * Zoho data centres (docs/zoho-crm.md §1). An account lives in exactly one; its accounts server issues
 * and refreshes tokens, and the token response's `api_domain` says where the CRM API is.
 */
export interface DataCenter {
  /** The `location` value Zoho puts on the OAuth redirect (only `us` is documented; others assumed). */
  location: string;
  accountsServer: string;
  apiDomain: string;
}

export const dataCenters: readonly DataCenter[] = Object.freeze([
  { location: 'us', accountsServer: 'https://accounts.zoho.com', apiDomain: 'https://www.zohoapis.com' },
  { location: 'eu', accountsServer: 'https://accounts.zoho.eu', apiDomain: 'https://www.zohoapis.eu' },
  { location: 'in', accountsServer: 'https://accounts.zoho.in', apiDomain: 'https://www.zohoapis.in' },
  { location: 'au', accountsServer: 'https://accounts.zoho.com.au', apiDomain: 'https://www.zohoapis.com.au' },
  { location: 'jp', accountsServer: 'https://accounts.zoho.jp', apiDomain: 'https://www.zohoapis.jp' },
  // Canada's accounts host is zohoCLOUD.ca, unlike every other DC.
  { location: 'ca', accountsServer: 'https://accounts.zohocloud.ca', apiDomain: 'https://www.zohoapis.ca' },
  { location: 'sa', accountsServer: 'https://accounts.zoho.sa', apiDomain: 'https://www.zohoapis.sa' },
  { location: 'cn', accountsServer: 'https://accounts.zoho.com.cn', apiDomain: 'https://www.zohoapis.com.cn' },
  { location: 'uk', accountsServer: 'https://accounts.zoho.uk', apiDomain: 'https://www.zohoapis.uk' },
]);

/** `https://Accounts.Zoho.EU/` → `https://accounts.zoho.eu`; null for anything that is not a bare origin. */
export function normalizeOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '') return null;
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') return null;
  return url.origin;
}

export function dataCenterForAccountsServer(value: string): DataCenter | undefined {
  const origin = normalizeOrigin(value);
  return origin === null ? undefined : dataCenters.find((dc) => dc.accountsServer === origin);
}

export function dataCenterForLocation(location: string): DataCenter | undefined {
  return dataCenters.find((dc) => dc.location === location.trim().toLowerCase());
}

/**
 * Validates the `accounts-server` parameter of an OAuth redirect. It arrives in a query string an
 * attacker can craft; exchanging a code (with our client secret) at an arbitrary host would hand
 * both to that host. So only Zoho's known accounts servers, or the accounts URL the operator
 * configured (plus any extra hosts the operator lists — how the simulator's other data centres or a
 * DC missing from the table are allowed), are accepted.
 *
 * Returns the normalised origin, or throws RejectedRequestError.
 */
export function resolveAccountsServer(
  value: string | null | undefined,
  configuredAccountsUrl: string,
  extraTrusted: readonly string[] = [],
): string {
  const configured = normalizeOrigin(configuredAccountsUrl);
  const extras = extraTrusted.map(normalizeOrigin).filter((o): o is string => o !== null);
  if (value === null || value === undefined || value.trim() === '') {
    if (configured === null) {
      throw new RejectedRequestError('UNTRUSTED_ACCOUNTS_SERVER', 'configured Zoho accounts URL is not a valid origin');
    }
    return configured;
  }
  const origin = normalizeOrigin(value);
  if (
    origin !== null &&
    (origin === configured || extras.includes(origin) || dataCenters.some((dc) => dc.accountsServer === origin))
  ) {
    return origin;
  }
  throw new RejectedRequestError(
    'UNTRUSTED_ACCOUNTS_SERVER',
    'accounts-server is neither a known Zoho accounts server nor the configured ZOHO_ACCOUNTS_URL',
  );
}
