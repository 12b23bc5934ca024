import type { SimClient, SimConfig } from './config.js';
import { newOpaqueToken } from './ids.js';
import { TOKEN_ERRORS } from './zoho-bodies.js';

interface GrantCode {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  location: string;
  expiresAt: number;
  issueRefreshToken: boolean;
}

interface RefreshTokenState {
  token: string;
  clientId: string;
  scopes: string[];
  location: string;
  createdAt: number;
  /** Access tokens minted from this refresh token, oldest first (for the active-token cap). */
  accessTokens: string[];
  /** Mint times inside the throttle window. */
  mints: number[];
}

export interface AccessTokenState {
  token: string;
  clientId: string;
  scopes: string[];
  location: string;
  refreshToken?: string;
  expiresAt: number;
}

export type TokenAnswer = { status: number; body: Record<string, unknown> };

export interface TokenCounters {
  refreshes: Map<string, number[]>;
  throttledRefreshes: number;
  tokenErrors: Map<string, number>;
  codeExchanges: number;
  grantCodesIssued: number;
}

export function splitScopes(scope: string): string[] {
  return scope
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Zoho's OAuth state for one simulated user across all simulated data centres. */
export class TokenStore {
  private codes = new Map<string, GrantCode>();
  private grantTimes = new Map<string, number[]>();
  private refreshTokens = new Map<string, RefreshTokenState>();
  private accessTokens = new Map<string, AccessTokenState>();
  /** Clients the user has consented to with access_type=offline (a refresh token is issued only the first time). */
  private offlineConsents = new Set<string>();
  counters: TokenCounters = TokenStore.emptyCounters();

  constructor(
    private readonly config: () => SimConfig,
    private readonly apiDomainOf: (location: string) => string,
  ) {}

  private static emptyCounters(): TokenCounters {
    return {
      refreshes: new Map(),
      throttledRefreshes: 0,
      tokenErrors: new Map(),
      codeExchanges: 0,
      grantCodesIssued: 0,
    };
  }

  reset(): void {
    this.codes.clear();
    this.grantTimes.clear();
    this.refreshTokens.clear();
    this.accessTokens.clear();
    this.offlineConsents.clear();
    this.counters = TokenStore.emptyCounters();
  }

  client(clientId: string | undefined): SimClient | undefined {
    return this.config().clients.find((c) => c.clientId === clientId);
  }

  /** Grant-token throttle: N codes per window per client id (docs/zoho-crm.md §2.6). */
  grantAllowed(clientId: string, now: number): boolean {
    const { max, windowMs } = this.config().grantThrottle;
    const recent = (this.grantTimes.get(clientId) ?? []).filter((t) => now - t < windowMs);
    this.grantTimes.set(clientId, recent);
    return recent.length < max;
  }

  issueGrantCode(input: {
    clientId: string;
    redirectUri: string;
    scopes: string[];
    location: string;
    offline: boolean;
    forceConsent: boolean;
    now: number;
  }): string {
    const code = newOpaqueToken();
    const firstOffline = input.offline && !this.offlineConsents.has(input.clientId);
    if (input.offline) this.offlineConsents.add(input.clientId);
    this.codes.set(code, {
      clientId: input.clientId,
      redirectUri: input.redirectUri,
      scopes: input.scopes,
      location: input.location,
      expiresAt: input.now + this.config().grantCodeTtlSeconds * 1000,
      issueRefreshToken: input.offline && (firstOffline || input.forceConsent),
    });
    const times = this.grantTimes.get(input.clientId) ?? [];
    times.push(input.now);
    this.grantTimes.set(input.clientId, times);
    this.counters.grantCodesIssued += 1;
    return code;
  }

  private fail(body: Record<string, unknown>, status = 200): TokenAnswer {
    const key = String(body.error);
    this.counters.tokenErrors.set(key, (this.counters.tokenErrors.get(key) ?? 0) + 1);
    return { status, body: { ...body } };
  }

  private checkClient(params: URLSearchParams): TokenAnswer | undefined {
    const client = this.client(params.get('client_id') ?? undefined);
    if (!client) return this.fail(TOKEN_ERRORS.invalidClient);
    if (params.get('client_secret') !== client.clientSecret) return this.fail(TOKEN_ERRORS.invalidClientSecret);
    return undefined;
  }

  /** POST /oauth/v2/token at the accounts server of `location`. */
  grant(params: URLSearchParams, location: string, now: number): TokenAnswer {
    const grantType = params.get('grant_type');
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      return this.fail(TOKEN_ERRORS.unsupportedGrantType);
    }
    const clientProblem = this.checkClient(params);
    if (clientProblem) return clientProblem;
    const clientId = params.get('client_id')!;
    return grantType === 'authorization_code'
      ? this.exchangeCode(params, clientId, location, now)
      : this.refresh(params, clientId, location, now);
  }

  private exchangeCode(params: URLSearchParams, clientId: string, location: string, now: number): TokenAnswer {
    const code = params.get('code') ?? '';
    const grant = this.codes.get(code);
    if (grant && grant.location !== location) return this.fail(TOKEN_ERRORS.invalidClient);
    if (!grant || grant.clientId !== clientId || grant.expiresAt <= now) {
      if (grant && grant.expiresAt <= now) this.codes.delete(code);
      return this.fail(TOKEN_ERRORS.invalidCode);
    }
    if ((params.get('redirect_uri') ?? '') !== grant.redirectUri) return this.fail(TOKEN_ERRORS.invalidRedirectUri);
    this.codes.delete(code);
    this.counters.codeExchanges += 1;
    let refreshToken: RefreshTokenState | undefined;
    if (grant.issueRefreshToken) {
      refreshToken = this.createRefreshToken(clientId, grant.scopes, location, now);
      refreshToken.mints.push(now);
    }
    const access = this.mintAccessToken({ clientId, scopes: grant.scopes, location, refresh: refreshToken, now });
    return {
      status: 200,
      body: {
        access_token: access.token,
        ...(refreshToken ? { refresh_token: refreshToken.token } : {}),
        api_domain: this.apiDomainOf(location),
        token_type: 'Bearer',
        expires_in: this.config().accessTokenTtlSeconds,
      },
    };
  }

  private refresh(params: URLSearchParams, clientId: string, location: string, now: number): TokenAnswer {
    const token = params.get('refresh_token') ?? '';
    const state = this.refreshTokens.get(token);
    if (state && state.location !== location) return this.fail(TOKEN_ERRORS.invalidClient);
    if (!state || state.clientId !== clientId) return this.fail(TOKEN_ERRORS.invalidCode);
    const { max, windowMs } = this.config().refreshThrottle;
    state.mints = state.mints.filter((t) => now - t < windowMs);
    if (state.mints.length >= max) {
      this.counters.throttledRefreshes += 1;
      return this.fail(TOKEN_ERRORS.accessDenied, this.config().throttleStatus);
    }
    state.mints.push(now);
    const times = this.counters.refreshes.get(token) ?? [];
    times.push(now);
    this.counters.refreshes.set(token, times);
    const access = this.mintAccessToken({ clientId, scopes: state.scopes, location, refresh: state, now });
    return {
      status: 200,
      body: {
        access_token: access.token,
        scope: state.scopes.join(' '),
        api_domain: this.apiDomainOf(location),
        token_type: 'Bearer',
        expires_in: this.config().accessTokenTtlSeconds,
      },
    };
  }

  /** A new refresh token; the user's oldest one for this client is deleted beyond the cap (with its access tokens). */
  createRefreshToken(
    clientId: string,
    scopes: string[],
    location: string,
    now: number,
    token: string = newOpaqueToken(),
  ): RefreshTokenState {
    const state: RefreshTokenState = {
      token,
      clientId,
      scopes,
      location,
      createdAt: now,
      accessTokens: [],
      mints: [],
    };
    this.refreshTokens.set(state.token, state);
    const mine = [...this.refreshTokens.values()].filter((r) => r.clientId === clientId);
    const excess = mine.length - this.config().maxRefreshTokens;
    for (const old of mine.sort((a, b) => a.createdAt - b.createdAt).slice(0, Math.max(0, excess))) {
      this.revokeRefreshToken(old.token);
    }
    return state;
  }

  mintAccessToken(input: {
    clientId: string;
    scopes: string[];
    location: string;
    refresh: RefreshTokenState | undefined;
    now: number;
  }): AccessTokenState {
    const access: AccessTokenState = {
      token: newOpaqueToken(),
      clientId: input.clientId,
      scopes: input.scopes,
      location: input.location,
      refreshToken: input.refresh?.token,
      expiresAt: input.now + this.config().accessTokenTtlSeconds * 1000,
    };
    this.accessTokens.set(access.token, access);
    if (input.refresh) {
      const list = input.refresh.accessTokens.filter((t) => {
        const a = this.accessTokens.get(t);
        return a !== undefined && a.expiresAt > input.now;
      });
      list.push(access.token);
      // Zoho keeps at most N active access tokens per refresh token; the oldest is invalidated.
      while (list.length > this.config().maxActiveAccessTokens) this.accessTokens.delete(list.shift()!);
      input.refresh.accessTokens = list;
    }
    return access;
  }

  refreshTokenState(token: string): RefreshTokenState | undefined {
    return this.refreshTokens.get(token);
  }

  revokeRefreshToken(token: string): boolean {
    const state = this.refreshTokens.get(token);
    if (!state) return false;
    for (const t of state.accessTokens) this.accessTokens.delete(t);
    for (const [t, a] of this.accessTokens) if (a.refreshToken === token) this.accessTokens.delete(t);
    this.refreshTokens.delete(token);
    return true;
  }

  /** The token if it is valid at the API host of `location` now. */
  authenticate(token: string, location: string, now: number): AccessTokenState | undefined {
    const access = this.accessTokens.get(token);
    if (!access || access.location !== location || access.expiresAt <= now) return undefined;
    return access;
  }

  expireAccessTokens(now: number): number {
    let count = 0;
    for (const access of this.accessTokens.values()) {
      if (access.expiresAt > now) {
        access.expiresAt = now;
        count += 1;
      }
    }
    return count;
  }

  activeAccessTokens(now: number): number {
    let count = 0;
    for (const access of this.accessTokens.values()) if (access.expiresAt > now) count += 1;
    return count;
  }

  refreshTokenCount(): number {
    return this.refreshTokens.size;
  }
}
