/** Zoho's DC codes (docs/zoho-crm.md §1); the simulator serves 'us' on its main port and others on request. */
export const KNOWN_LOCATIONS: ReadonlySet<string> = new Set(['us', 'eu', 'in', 'au', 'jp', 'ca', 'sa', 'cn', 'uk']);

export const MAIN_LOCATION = 'us';

export interface DataCenterInfo {
  location: string;
  /** Accounts server of this DC (the `accounts-server` redirect parameter). */
  accountsUrl: string;
  /** CRM API domain of this DC (the token response's `api_domain`). */
  apiDomain: string;
}
