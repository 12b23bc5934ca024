import { DEFAULT_CLIENT, DEFAULT_SCOPE } from './config.js';

export interface ConsentResult {
  code: string;
  location: string;
  accountsServer: string;
  state: string | null;
  /** The full redirect target, as the browser would be sent to it. */
  redirect: string;
}

/** Drives the auto-approving consent page like a browser would and returns what Zoho appends to the redirect. */
export async function consent(
  accountsUrl: string,
  input: {
    clientId?: string;
    redirectUri?: string;
    scope?: string;
    accessType?: 'offline' | 'online';
    prompt?: 'consent';
    state?: string;
  } = {},
): Promise<ConsentResult> {
  const query = new URLSearchParams({
    client_id: input.clientId ?? DEFAULT_CLIENT.clientId,
    response_type: 'code',
    redirect_uri: input.redirectUri ?? 'http://localhost:3000/auth/zoho/callback',
    scope: input.scope ?? DEFAULT_SCOPE,
    access_type: input.accessType ?? 'offline',
  });
  if (input.prompt) query.set('prompt', input.prompt);
  if (input.state !== undefined) query.set('state', input.state);
  const response = await fetch(`${accountsUrl}/oauth/v2/auth?${query}`, { redirect: 'manual' });
  const redirect = response.headers.get('location');
  if (response.status !== 302 || !redirect) throw new Error(`consent page answered ${response.status}`);
  const params = new URL(redirect).searchParams;
  const code = params.get('code');
  if (!code) throw new Error(`consent refused: ${params.get('error') ?? redirect}`);
  return {
    code,
    location: params.get('location') ?? '',
    accountsServer: params.get('accounts-server') ?? '',
    state: params.get('state'),
    redirect,
  };
}

/** POSTs an x-www-form-urlencoded body to `{accountsServer}/oauth/v2/token` (or another accounts path). */
export async function postForm(
  url: string,
  params: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
