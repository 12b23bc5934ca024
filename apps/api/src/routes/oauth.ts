import type { Logger } from '@leadsync/config';
import type { SyncProducer } from '@leadsync/queue';
import {
  type ConnectZohoInput,
  connectZoho,
  describeOnboardingError,
  issueState,
  NOT_CONFIGURED,
  nonceMatches,
  type OnboardingFailure,
  type OnboardingFailureKind,
  STATE_TTL_MS,
  verifyState,
  type ZohoConnection,
} from '@leadsync/zoho-client';
import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import { z } from 'zod';
import { sendError } from '../middleware/errors.js';
import { sendPage } from '../oauth/page.js';

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

export type ZohoConnected = z.infer<typeof zohoConnectedSchema>;

export interface OAuthRouteDeps {
  zoho: ZohoConnection | null;
  /** Key the state is signed with (zoho-client's stateKey). */
  stateKey: Buffer;
  redirectUri: string;
  /** Set in immediate mode: leads held back for want of a connection go at once. */
  producer?: Pick<SyncProducer, 'enqueueDrain'>;
  logger: Logger;
  requireAdmin: RequestHandler;
}

/** Cookie holding the nonce of the browser's pending sign-in (the state binds to it). */
const STATE_COOKIE = 'leadsync_oauth_nonce';

/**
 * A request-shaped problem (expired code, bad state, untrusted host) is 400; Zoho refusing our
 * configuration, or not answering, is 502: it is this deployment or Zoho, not the request, that
 * must change; no client configured yet, or Zoho throttling us, is 503 (with Retry-After).
 */
const HTTP_STATUS: Record<OnboardingFailureKind, number> = {
  request: 400,
  configuration: 502,
  unavailable: 502,
  unconfigured: 503,
  throttled: 503,
};

/** The exchange, and the answer shaped as the contract names it. */
async function exchange(deps: OAuthRouteDeps, zoho: ZohoConnection, input: ConnectZohoInput): Promise<ZohoConnected> {
  const producer = deps.producer;
  const nudge = producer ? () => producer.enqueueDrain({ reason: 'admin' }) : undefined;
  const connected = await connectZoho(zoho, input, nudge);
  return {
    connected: true,
    accounts_server: connected.accountsServer,
    api_domain: connected.apiDomain,
    access_token_expires_at: connected.accessTokenExpiresAt?.toISOString() ?? null,
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
  sendPage(res, HTTP_STATUS[failure.kind], { ok: false, title: 'Zoho was not connected', lines: [failure.message] });
}

function sendFailure(res: Response, failure: OnboardingFailure): void {
  if (failure.retryAfterS) res.set('Retry-After', String(failure.retryAfterS));
  sendError(res, HTTP_STATUS[failure.kind], failure.error, { message: failure.message });
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
 *   and the state's nonce in a cookie scoped to the callback path (why: the comment atop
 *   packages/zoho-client/src/onboarding/state.ts).
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
      return failurePage(res, { kind: 'request', error: 'consent_denied', message });
    }
    const state = verifyState(deps.stateKey, queryValue(req, 'state'));
    if (!state.ok)
      return failurePage(res, { kind: 'request', error: 'bad_state', message: STATE_PROBLEMS[state.reason] });
    if (state.channel === 'browser' && !nonceMatches(state.nonce, readCookie(req, STATE_COOKIE))) {
      return failurePage(res, {
        kind: 'request',
        error: 'state_not_for_this_browser',
        message: `This browser did not start this sign-in (its sign-in cookie is missing or belongs to a newer attempt). Start again at /auth/zoho/start in this browser, on the same host as ZOHO_REDIRECT_URI (${deps.redirectUri}).`,
      });
    }
    const code = queryValue(req, 'code');
    if (!code) {
      return failurePage(res, {
        kind: 'request',
        error: 'missing_code',
        message: "Zoho's redirect carries no code. Start again at /auth/zoho/start.",
      });
    }
    const accountsServer = queryValue(req, 'accounts-server');
    try {
      const connected = await exchange(deps, deps.zoho, {
        code,
        accountsServer,
        location: queryValue(req, 'location'),
      });
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
    if (!deps.zoho) return sendFailure(res, NOT_CONFIGURED);
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
        .json(await exchange(deps, deps.zoho, { code: body.data.code, accountsServer }));
    } catch (err) {
      const failure = describeOnboardingError(err, { redirectUri: deps.redirectUri, accountsServer });
      if (!failure) throw err;
      sendFailure(res, failure);
    }
  });
  return router;
}
