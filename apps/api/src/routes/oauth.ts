import type { Logger } from '@leadsync/config';
import type { SyncProducer } from '@leadsync/queue';
import { dataCenterForLocation, type ZohoConnection } from '@leadsync/zoho-client';
import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import { z } from 'zod';
import { sendError } from '../middleware/errors.js';
import { describeOnboardingError, NOT_CONFIGURED, type OnboardingFailure } from '../oauth/outcome.js';
import { sendPage } from '../oauth/page.js';
import { issueState, nonceMatches, STATE_COOKIE, STATE_TTL_MS, verifyState } from '../oauth/state.js';

export const OAUTH_PATHS = {
  start: '/auth/zoho/start',
  callback: '/auth/zoho/callback',
  exchange: '/api/zoho-auth',
} as const;

/** The query parameters Zoho may put on its redirect to the callback; the route reads no other. */
export const OAUTH_CALLBACK_QUERY = ['state', 'code', 'location', 'accounts-server', 'error'] as const;

export const zohoAuthBodySchema = z.strictObject({
  code: z.string().trim().min(1, 'is required').max(1000),
  /** The `accounts-server` Zoho put on the redirect, for a code issued by another data centre. */
  accounts_server: z.string().max(200).optional(),
});

export const zohoConnectedSchema = z.object({
  connected: z.literal(true),
  accounts_server: z.string(),
  api_domain: z.string().nullable(),
  access_token_expires_at: z.string().nullable(),
});

export interface OAuthRouteDeps {
  zoho: ZohoConnection | null;
  /** Key the state is signed with (oauth/state.ts stateKey). */
  stateKey: Buffer;
  redirectUri: string;
  /** Set in immediate mode: leads held back for want of a connection go at once. */
  producer?: Pick<SyncProducer, 'enqueueDrain'>;
  logger: Logger;
  requireAdmin: RequestHandler;
}

export type ZohoConnected = z.infer<typeof zohoConnectedSchema>;

/**
 * Exchange a grant code and store the tokens. The `accounts-server` is checked by the OAuth
 * client against Zoho's data centres and the configured servers before the code (and our client
 * secret) is sent anywhere. With a producer, leads held back for want of a connection are sent
 * at once after (immediate mode; in daily mode they wait for the schedule like every lead).
 */
export async function connectZoho(
  zoho: ZohoConnection,
  input: { code: string; accountsServer?: string | undefined; location?: string | undefined },
  producer?: Pick<SyncProducer, 'enqueueDrain'>,
): Promise<ZohoConnected> {
  // Zoho always names the server; when only the location came, its DC table stands in.
  const named =
    input.accountsServer || (input.location ? dataCenterForLocation(input.location)?.accountsServer : undefined);
  const accountsServer = zoho.oauth.resolveAccountsServer(named);
  const grant = await zoho.oauth.exchangeCode({ code: input.code, accountsServer });
  await zoho.tokens.saveGrant(grant);
  await producer?.enqueueDrain({ reason: 'admin' }).catch(() => undefined);
  const status = await zoho.tokens.status();
  return {
    connected: true,
    accounts_server: grant.accountsServer,
    api_domain: status.apiDomain,
    access_token_expires_at: status.accessTokenExpiresAt?.toISOString() ?? null,
  };
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function queryValue(req: Request, name: (typeof OAUTH_CALLBACK_QUERY)[number]): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}

function failurePage(res: Response, failure: OnboardingFailure): void {
  if (failure.retryAfterS) res.set('Retry-After', String(failure.retryAfterS));
  sendPage(res, failure.status, { ok: false, title: 'Zoho was not connected', lines: [failure.message] });
}

const STATE_PROBLEMS = {
  missing:
    "The redirect carries no state. Start the sign-in from leadsync (GET /auth/zoho/start), not from a bookmark of Zoho's page.",
  malformed:
    'The state in the redirect is not one leadsync issued (or CRON_SECRET changed since). Start the sign-in again at /auth/zoho/start.',
  bad_signature:
    'The state in the redirect is not one leadsync issued (or CRON_SECRET changed since). Start the sign-in again at /auth/zoho/start.',
  expired: `This sign-in expired (it is valid for ${STATE_TTL_MS / 60_000} minutes). Start again at /auth/zoho/start.`,
} as const;

/**
 * Zoho onboarding:
 * - GET /auth/zoho/start (admin): 302 to the consent page of ZOHO_ACCOUNTS_URL with a signed state,
 *   and the state's nonce in a cookie scoped to the callback path (see oauth/state.ts).
 * - GET /auth/zoho/callback (public: Zoho sends the browser here; the state is the credential):
 *   a plain page saying it worked or exactly what failed.
 * - POST /api/zoho-auth (admin): the same exchange for scripts, in JSON.
 */
export function oauthRoutes(deps: OAuthRouteDeps): Router {
  const router = Router();
  const cookiePath = new URL(deps.redirectUri).pathname;
  const secureCookie = deps.redirectUri.startsWith('https:');
  const clearNonce = (res: Response) =>
    res.clearCookie(STATE_COOKIE, { path: cookiePath, httpOnly: true, sameSite: 'lax', secure: secureCookie });

  router.get(OAUTH_PATHS.start, deps.requireAdmin, (_req, res) => {
    if (!deps.zoho) return failurePage(res, NOT_CONFIGURED);
    const { state, nonce } = issueState(deps.stateKey, 'browser');
    res.cookie(STATE_COOKIE, nonce, {
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookie,
      path: cookiePath,
      maxAge: STATE_TTL_MS,
    });
    res.set('Cache-Control', 'no-store').redirect(302, deps.zoho.oauth.buildConsentUrl({ state }));
  });

  router.get(OAUTH_PATHS.callback, async (req, res) => {
    clearNonce(res);
    if (!deps.zoho) return failurePage(res, NOT_CONFIGURED);
    const zohoError = queryValue(req, 'error');
    if (zohoError !== undefined) {
      const message =
        zohoError === 'access_denied'
          ? "Zoho did not grant access (access_denied): the consent was denied, or Zoho's limit of 10 sign-ins per 10 minutes was reached. Start again at /auth/zoho/start."
          : `Zoho answered with the error "${zohoError}" instead of a code. Start again at /auth/zoho/start.`;
      return failurePage(res, { status: 400, error: 'consent_denied', message });
    }
    const state = verifyState(deps.stateKey, queryValue(req, 'state'));
    if (!state.ok) return failurePage(res, { status: 400, error: 'bad_state', message: STATE_PROBLEMS[state.reason] });
    if (state.channel === 'browser' && !nonceMatches(state.nonce, readCookie(req, STATE_COOKIE))) {
      return failurePage(res, {
        status: 400,
        error: 'state_not_for_this_browser',
        message: `This browser did not start this sign-in (its sign-in cookie is missing or belongs to a newer attempt). Start again at /auth/zoho/start in this browser, on the same host as ZOHO_REDIRECT_URI (${deps.redirectUri}).`,
      });
    }
    const code = queryValue(req, 'code');
    if (!code) {
      return failurePage(res, {
        status: 400,
        error: 'missing_code',
        message: "Zoho's redirect carries no code. Start again at /auth/zoho/start.",
      });
    }
    const accountsServer = queryValue(req, 'accounts-server');
    try {
      const connected = await connectZoho(
        deps.zoho,
        { code, accountsServer, location: queryValue(req, 'location') },
        deps.producer,
      );
      sendPage(res, 200, {
        ok: true,
        title: 'Zoho is connected',
        lines: [
          `Accounts server: ${connected.accounts_server}. CRM API: ${connected.api_domain ?? 'unknown'}.`,
          'leadsync keeps the tokens encrypted and renews them itself; pending leads are on their way to Zoho. You can close this tab.',
        ],
      });
    } catch (err) {
      const failure = describeOnboardingError(err, { redirectUri: deps.redirectUri, accountsServer });
      if (!failure) throw err;
      (req.log ?? deps.logger).warn({ code: failure.error }, 'zoho onboarding failed');
      failurePage(res, failure);
    }
  });

  router.post(OAUTH_PATHS.exchange, deps.requireAdmin, express.json({ limit: '4kb' }), async (req, res) => {
    if (!deps.zoho)
      return sendError(res, NOT_CONFIGURED.status, NOT_CONFIGURED.error, { message: NOT_CONFIGURED.message });
    const body = zohoAuthBodySchema.safeParse(req.body ?? {});
    if (!body.success) {
      return sendError(res, 422, 'validation_failed', {
        issues: body.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    const accountsServer = body.data.accounts_server;
    try {
      res
        .set('Cache-Control', 'no-store')
        .json(await connectZoho(deps.zoho, { code: body.data.code, accountsServer }, deps.producer));
    } catch (err) {
      const failure = describeOnboardingError(err, { redirectUri: deps.redirectUri, accountsServer });
      if (!failure) throw err;
      if (failure.retryAfterS) res.set('Retry-After', String(failure.retryAfterS));
      sendError(res, failure.status, failure.error, { message: failure.message });
    }
  });
  return router;
}
