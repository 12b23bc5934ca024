import type { KyInstance } from 'ky';
import { normalizeOrigin, resolveAccountsServer } from './data-centers.js';
import { FixConfigError, ReAuthorizeError, RejectedRequestError, RetryLaterError } from './errors.js';
import { createHttp, send } from './http.js';
import { classifyTokenResponse, type GrantType, type ParsedTokenGrant } from './token-response.js';

/**
 * Zoho OAuth 2.0 for a server-based client (facts §2): the consent URL, code exchange, refresh and
 * revoke. Knows nothing about where tokens are kept; token-manager.ts does that.
 */

/**
 * Create/update/upsert and search Leads. `leads.ALL` rather than CREATE+UPDATE because whether
 * upsert's update branch accepts CREATE alone is unconfirmed (§2.8); search additionally needs
 * ZohoSearch.securesearch.READ. This is the facts sheet's recommended consent scope string.
 */
export const DEFAULT_SCOPES: readonly string[] = ['ZohoCRM.modules.leads.ALL', 'ZohoSearch.securesearch.READ'];

export interface ConsentUrlParams {
  accountsUrl: string;
  clientId: string;
  redirectUri: string;
  /** Opaque CSRF value echoed back on the redirect; the caller stores and checks it. */
  state: string;
  scopes?: readonly string[];
}

/**
 * `access_type=offline` asks for a refresh token and `prompt=consent` makes Zoho issue a new one
 * even when this user consented before — without it a second authorisation yields no refresh
 * token at all (§2.1, §2.2).
 */
export function buildConsentUrl(params: ConsentUrlParams): string {
  const origin = normalizeOrigin(params.accountsUrl);
  if (origin === null) throw new FixConfigError('INVALID_ACCOUNTS_URL', 'ZOHO_ACCOUNTS_URL is not a valid origin');
  if (params.state.trim() === '')
    throw new RejectedRequestError('MISSING_STATE', 'a non-empty OAuth state is required');
  const scopes = params.scopes ?? DEFAULT_SCOPES;
  const url = new URL('/oauth/v2/auth', origin);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', params.clientId);
  // Zoho separates scopes with commas, not spaces.
  url.searchParams.set('scope', scopes.join(','));
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('access_type', 'offline');
  url.searchParams.set('prompt', 'consent');
  url.searchParams.set('state', params.state);
  return url.toString();
}

export interface TokenGrant extends ParsedTokenGrant {
  /** The accounts server that issued it: refreshes must go to the same one. */
  accountsServer: string;
}

export interface OAuthClientConfig {
  /** ZOHO_ACCOUNTS_URL: the default accounts server, and the one extra host trusted besides Zoho's DCs. */
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scopes?: readonly string[];
  /** Accounts servers trusted besides Zoho's DC table and `accountsUrl` (simulator DCs, a new DC). */
  trustedAccountsServers?: readonly string[];
  /** Per request; default 10 s. Keep it below the token manager's lockTtlMs. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface OAuthClient {
  readonly accountsUrl: string;
  buildConsentUrl(params: { state: string; scopes?: readonly string[] }): string;
  /** Validates an `accounts-server` redirect parameter (see data-centers.ts). */
  resolveAccountsServer(value: string | null | undefined): string;
  /** `accountsServer` is the redirect's `accounts-server` parameter; it is validated before use. */
  exchangeCode(params: { code: string; accountsServer?: string | null }): Promise<TokenGrant>;
  refreshAccessToken(params: { refreshToken: string; accountsServer?: string | null }): Promise<TokenGrant>;
  /** True when Zoho revoked it; false when Zoho says the token was already invalid (HTTP 400). */
  revokeToken(params: { token: string; accountsServer?: string | null }): Promise<boolean>;
}

export function createOAuthClient(config: OAuthClientConfig): OAuthClient {
  const accountsUrl = normalizeOrigin(config.accountsUrl);
  if (accountsUrl === null) throw new FixConfigError('INVALID_ACCOUNTS_URL', 'ZOHO_ACCOUNTS_URL is not a valid origin');
  const now = config.now ?? Date.now;
  // No network retry at the token endpoint: a retried refresh may mint a second token, and each
  // one counts against Zoho's 10-per-10-minutes limit. The caller decides.
  const httpOptions = { timeoutMs: config.timeoutMs ?? 10_000, networkRetries: 0 };
  const http: KyInstance = createHttp(config.fetch ? { ...httpOptions, fetch: config.fetch } : httpOptions);

  const resolve = (value: string | null | undefined) =>
    resolveAccountsServer(value, accountsUrl, config.trustedAccountsServers ?? []);

  async function tokenRequest(server: string, form: Record<string, string>, grantType: GrantType): Promise<TokenGrant> {
    const startedAt = now();
    // Form body, as the official SDK sends it; query parameters would put the secret in access logs.
    const result = await send(
      http,
      'oauth/v2/token',
      { method: 'post', prefixUrl: server, body: new URLSearchParams(form) },
      'Zoho token endpoint',
    );
    const classified = classifyTokenResponse(result.body, { status: result.status, grantType, now: now() });
    if (!classified.ok) throw classified.error;
    // Expiry counted from when we asked, so clock time spent in flight only shortens our view.
    return {
      ...classified.grant,
      expiresInMs: classified.grant.expiresInMs - (now() - startedAt),
      accountsServer: server,
    };
  }

  return {
    accountsUrl,
    buildConsentUrl: (params) =>
      buildConsentUrl({
        accountsUrl,
        clientId: config.clientId,
        redirectUri: config.redirectUri,
        state: params.state,
        scopes: params.scopes ?? config.scopes ?? DEFAULT_SCOPES,
      }),
    resolveAccountsServer: resolve,
    async exchangeCode({ code, accountsServer }) {
      if (code.trim() === '') throw new RejectedRequestError('MISSING_CODE', 'a Zoho grant code is required');
      const server = resolve(accountsServer);
      const grant = await tokenRequest(
        server,
        {
          grant_type: 'authorization_code',
          client_id: config.clientId,
          client_secret: config.clientSecret,
          redirect_uri: config.redirectUri,
          code,
        },
        'authorization_code',
      );
      if (grant.refreshToken === null) {
        // Happens when consent was given before and prompt=consent was not used (§2.2).
        throw new ReAuthorizeError(
          'NO_REFRESH_TOKEN',
          'Zoho issued no refresh token: start the consent again (access_type=offline&prompt=consent)',
        );
      }
      return grant;
    },
    async refreshAccessToken({ refreshToken, accountsServer }) {
      const server = resolve(accountsServer);
      return tokenRequest(
        server,
        {
          grant_type: 'refresh_token',
          client_id: config.clientId,
          client_secret: config.clientSecret,
          refresh_token: refreshToken,
        },
        'refresh_token',
      );
    },
    async revokeToken({ token, accountsServer }) {
      const server = resolve(accountsServer);
      // Zoho documents the token as a query parameter here (§2.7).
      const result = await send(
        http,
        'oauth/v2/token/revoke',
        { method: 'post', prefixUrl: server, searchParams: { token } },
        'Zoho revoke endpoint',
      );
      const status = (result.body as { status?: unknown } | undefined)?.status;
      if (result.status >= 200 && result.status < 300 && status === 'success') return true;
      if (result.status === 400) return false;
      throw new RetryLaterError(
        result.status >= 500 ? `HTTP_${result.status}` : 'REVOKE_FAILED',
        `Zoho revoke endpoint answered HTTP ${result.status} without success`,
        { status: result.status },
      );
    },
  };
}
