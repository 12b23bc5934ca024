import { formParams, json, type SimResponse } from './http.js';
import type { SimState } from './state.js';
import { splitScopes } from './tokens.js';

export interface AccountsRequest {
  method: string;
  url: URL;
  contentType: string | undefined;
  body: string;
  /** Data centre whose accounts server received the call. */
  location: string;
}

function errorPage(title: string): SimResponse {
  // Zoho shows an HTML error page instead of redirecting when the request itself cannot be trusted.
  return {
    status: 400,
    headers: { 'Content-Type': 'text/html;charset=UTF-8' },
    body: `<!doctype html><html><head><title>Zoho Accounts</title></head><body><h1>${title}</h1></body></html>`,
  };
}

/** Zoho's redirect puts `state` first and ends with a trailing `&` (docs/zoho-crm.md §1). */
export function redirectWith(redirectUri: string, params: Array<[string, string]>): string {
  const query = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}&`).join('');
  return `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${query}`;
}

function authorize(state: SimState, req: AccountsRequest): SimResponse {
  const q = req.url.searchParams;
  const client = state.tokens.client(q.get('client_id') ?? undefined);
  if (!client) return errorPage('Invalid Client');
  const redirectUri = q.get('redirect_uri') ?? '';
  const registered =
    client.redirectUris.length === 0 ? /^https?:\/\//.test(redirectUri) : client.redirectUris.includes(redirectUri);
  if (!registered) return errorPage('Invalid Redirect Uri');
  if (q.get('response_type') !== 'code') return errorPage('Invalid response type');
  const scopes = splitScopes(q.get('scope') ?? '');
  if (scopes.length === 0) return errorPage('Invalid OAuth Scope');

  const stateParam = q.get('state');
  const prefix: Array<[string, string]> = stateParam === null ? [] : [['state', stateParam]];
  const now = state.now();
  if (state.config.consent === 'deny' || !state.tokens.grantAllowed(client.clientId, now)) {
    return { status: 302, headers: { Location: redirectWith(redirectUri, [...prefix, ['error', 'access_denied']]) } };
  }
  const userDc = state.dataCenter(state.config.userLocation);
  const code = state.tokens.issueGrantCode({
    clientId: client.clientId,
    redirectUri,
    scopes,
    location: userDc.location,
    offline: q.get('access_type') === 'offline',
    forceConsent: q.get('prompt') === 'consent',
    now,
  });
  const location = redirectWith(redirectUri, [
    ...prefix,
    ['code', code],
    ['location', userDc.location],
    ['accounts-server', userDc.accountsUrl],
  ]);
  return { status: 302, headers: { Location: location } };
}

function revoke(state: SimState, req: AccountsRequest): SimResponse {
  const params = formParams(req.url, req.contentType, req.body);
  const token = params.get('token') ?? '';
  const known = state.tokens.refreshTokenState(token);
  if (!known || known.location !== req.location) return json(400, { status: 'failure', error: 'invalid_token' });
  state.tokens.revokeRefreshToken(token);
  return json(200, { status: 'success' });
}

function serverInfo(state: SimState): SimResponse {
  const locations: Record<string, string> = {};
  for (const dc of state.dataCenters.values()) locations[dc.location] = dc.accountsUrl;
  return json(200, { result: 'success', locations });
}

/** Routes of one DC's accounts server; undefined = not an accounts path. */
export function handleAccounts(state: SimState, req: AccountsRequest): SimResponse | undefined {
  const path = req.url.pathname.replace(/\/+$/, '');
  if (path === '/oauth/v2/auth') {
    return req.method === 'GET' ? authorize(state, req) : errorPage('Invalid Request');
  }
  if (path === '/oauth/v2/token') {
    if (req.method !== 'POST') return json(405, { error: 'invalid_request' });
    const answer = state.tokens.grant(formParams(req.url, req.contentType, req.body), req.location, state.now());
    return json(answer.status, answer.body);
  }
  if (path === '/oauth/v2/token/revoke') {
    if (req.method !== 'POST') return json(405, { error: 'invalid_request' });
    return revoke(state, req);
  }
  if (path === '/oauth/serverinfo') return serverInfo(state);
  return undefined;
}

export function accountsEndpoint(pathname: string): 'auth' | 'token' | 'revoke' | 'serverinfo' | undefined {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/oauth/v2/auth') return 'auth';
  if (path === '/oauth/v2/token') return 'token';
  if (path === '/oauth/v2/token/revoke') return 'revoke';
  if (path === '/oauth/serverinfo') return 'serverinfo';
  return undefined;
}
