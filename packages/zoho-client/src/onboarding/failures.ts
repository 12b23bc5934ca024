import { FixConfigError, ReAuthorizeError, RejectedRequestError, WaitUntilError, ZohoError } from '../errors.js';

/**
 * Who must act on a failed onboarding step; each surface turns it into its own answer (the API
 * into an HTTP status, the CLI into exit code 1), so this package knows no transport.
 * - `request`: the person starts again or sends something else (the code, the state, the host);
 * - `configuration`: Zoho refused this deployment's settings, which must change;
 * - `unconfigured`: no Zoho client is configured yet;
 * - `throttled`: Zoho asks us to wait (`retryAfterS`);
 * - `unavailable`: no answer from Zoho; try again in a moment.
 */
export type OnboardingFailureKind = 'request' | 'configuration' | 'unconfigured' | 'throttled' | 'unavailable';

/** A failed onboarding step as every surface shows it: HTML page, JSON answer, CLI line. */
export interface OnboardingFailure {
  kind: OnboardingFailureKind;
  /** Stable, machine-readable. */
  error: string;
  /** One line a person can act on. */
  message: string;
  retryAfterS?: number;
}

export interface OnboardingContext {
  redirectUri: string;
  /** The accounts server the exchange went to (or was refused). */
  accountsServer?: string | undefined;
  /** Epoch milliseconds, for the wait a throttle asks for. */
  now?: number;
}

/**
 * What a failed code exchange means for the person doing it. Zoho answers most of these with
 * HTTP 200 and an `error` code (docs/zoho-crm.md §2.4); the OAuth client turns them into typed
 * errors carrying that code. Errors that are not Zoho's give null: the caller lets them surface
 * as the unexpected failures they are.
 */
export function describeOnboardingError(err: unknown, ctx: OnboardingContext): OnboardingFailure | null {
  if (!(err instanceof ZohoError)) return null;
  const at = ctx.accountsServer ? ` at ${ctx.accountsServer}` : '';
  if (err instanceof RejectedRequestError) {
    if (err.code === 'UNTRUSTED_ACCOUNTS_SERVER') {
      return {
        kind: 'request',
        error: 'untrusted_accounts_server',
        message:
          'The accounts-server in the redirect is not a Zoho data centre, ZOHO_ACCOUNTS_URL or one of ZOHO_TRUSTED_ACCOUNTS_SERVERS, so the code was not sent to it.',
      };
    }
    return { kind: 'request', error: 'bad_request', message: `${err.message} (${err.code}).` };
  }
  if (err instanceof ReAuthorizeError) {
    if (err.code === 'invalid_code') {
      return {
        kind: 'request',
        error: 'code_expired',
        message: `Zoho${at} refused the authorization code as expired, already used or unknown (invalid_code). A code lives about 2 minutes and works once: start the sign-in again.`,
      };
    }
    if (err.code === 'NO_REFRESH_TOKEN') {
      return {
        kind: 'request',
        error: 'no_refresh_token',
        message:
          'Zoho issued no refresh token (the consent URL lacked access_type=offline&prompt=consent): start the sign-in again from leadsync.',
      };
    }
    return { kind: 'request', error: 're_authorize', message: `${err.message} (${err.code}).` };
  }
  if (err instanceof FixConfigError) {
    switch (err.code) {
      case 'invalid_client':
        return {
          kind: 'configuration',
          error: 'wrong_client',
          message: `Zoho${at} does not know this client (invalid_client): check ZOHO_CLIENT_ID, and that the client is enabled for this data centre (Multi-DC in Zoho's API console). A code exchanged at another data centre's accounts server gives the same answer.`,
        };
      case 'invalid_client_secret':
        return {
          kind: 'configuration',
          error: 'wrong_client_secret',
          message: `Zoho${at} refused the client secret (invalid_client_secret): set ZOHO_CLIENT_SECRET to the secret of this client in Zoho's API console.`,
        };
      case 'invalid_redirect_uri':
        return {
          kind: 'configuration',
          error: 'wrong_redirect_uri',
          message: `Zoho${at} refused the redirect URI ${ctx.redirectUri} (invalid_redirect_uri): it must equal, character for character, a redirect URI registered for this client in Zoho's API console; set ZOHO_REDIRECT_URI to it.`,
        };
      default:
        return { kind: 'configuration', error: 'zoho_configuration', message: `${err.message} (${err.code}).` };
    }
  }
  if (err instanceof WaitUntilError) {
    const retryAfterS = Math.max(1, Math.ceil((err.resetAt.getTime() - (ctx.now ?? Date.now())) / 1000));
    return {
      kind: 'throttled',
      error: 'zoho_throttled',
      message: `Zoho${at} is throttling token requests (${err.code}): try again after ${err.resetAt.toISOString()}.`,
      retryAfterS,
    };
  }
  return {
    kind: 'unavailable',
    error: 'zoho_unavailable',
    message: `Could not get an answer from Zoho${at} (${err.code}): try again in a moment.`,
  };
}

/** The answer when onboarding is used before the Zoho client is configured. */
export const NOT_CONFIGURED: OnboardingFailure = {
  kind: 'unconfigured',
  error: 'zoho_not_configured',
  message:
    'Zoho is not configured: set ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET (from Zoho\'s API console, "Server-based Applications") and restart the API.',
};
