import { DEFAULT_CLIENT, DEFAULT_SCOPE, type SimConfig } from './config.js';
import type { FaultSpec, PendingFault, RecordRejection } from './faults.js';
import { json, type SimResponse } from './http.js';
import { controlShape } from './leads.js';
import type { SimState, WriteCall } from './state.js';
import { splitScopes } from './tokens.js';

export interface CountersSnapshot {
  /** endpoint → HTTP status (or 'hung' / 'dropped') → calls. */
  calls: Record<string, Record<string, number>>;
  /** Records sent per insert/update/upsert call that had a valid body, in call order. */
  recordsPerCall: number[];
  writeCalls: WriteCall[];
  refreshes: { total: number; byRefreshToken: Record<string, number[]> };
  throttledRefreshes: number;
  tokenErrors: Record<string, number>;
  codeExchanges: number;
  grantCodesIssued: number;
  activeAccessTokens: number;
  refreshTokens: number;
  inFlight: number;
  maxConcurrency: number;
  maxComplexConcurrency: number;
  concurrencyRejections: number;
  creditRejections: number;
  creditsUsed: number;
  creditsRemaining: number;
  faultsServed: number;
  pendingFaults: number;
  records: number;
  /** Distinct emails (lower-cased) carried by more than one stored record; 0 in a healthy run. */
  duplicateEmails: number;
  duplicateEmailList: string[];
}

export interface TokenSeed {
  clientId?: string;
  scope?: string;
  /** Data centre the token belongs to (default: the main DC, 'us'). */
  location?: string;
}

export interface RejectRule {
  pattern: RegExp | string;
  /** Flags when `pattern` is a string. */
  flags?: string;
  field?: string;
  code?: string;
  message?: string;
}

export type ConfigPatch = Partial<SimConfig>;

const CONFIG_KEYS: ReadonlySet<string> = new Set([
  'latencyMs',
  'jitterMs',
  'accountsLatencyMs',
  'accessTokenTtlSeconds',
  'concurrencyLimit',
  'subConcurrencyLimit',
  'dailyCredits',
  'clients',
  'uniqueEmail',
  'uniqueFields',
  'mandatoryFields',
  'extraFields',
  'strictFieldNames',
  'multipleErrors',
  'userLocation',
  'consent',
  'grantCodeTtlSeconds',
  'grantThrottle',
  'refreshThrottle',
  'throttleStatus',
  'maxActiveAccessTokens',
  'maxRefreshTokens',
  'searchIndexDelayMs',
  'timeZoneOffsetMinutes',
  'acceptBearer',
]);

/** In-process control of a running simulator; the same operations are served over HTTP under /__sim/. */
export class SimControl {
  constructor(private readonly state: SimState) {}

  /** Clears records, tokens, counters, faults, rejections and the clock; restores the start-up configuration. */
  reset(): void {
    this.state.reset();
  }

  config(): SimConfig {
    return structuredClone(this.state.config);
  }

  /** Changes configuration at run time (latency, limits, validation rules …) until the next reset(). */
  configure(patch: ConfigPatch): SimConfig {
    for (const key of Object.keys(patch)) {
      if (!CONFIG_KEYS.has(key)) throw new Error(`unknown configuration key "${key}"`);
    }
    if (patch.userLocation !== undefined && !this.state.dataCenters.has(patch.userLocation)) {
      throw new Error(`userLocation "${patch.userLocation}" is not served by this simulator`);
    }
    this.state.config = { ...this.state.config, ...structuredClone(patch) };
    return this.config();
  }

  private seed(seed: TokenSeed): { clientId: string; scopes: string[]; location: string } {
    const clientId = seed.clientId ?? this.state.config.clients[0]?.clientId ?? DEFAULT_CLIENT.clientId;
    if (!this.state.tokens.client(clientId)) throw new Error(`unknown client "${clientId}"`);
    const location = seed.location ?? 'us';
    this.state.dataCenter(location);
    return { clientId, scopes: splitScopes(seed.scope ?? DEFAULT_SCOPE), location };
  }

  /**
   * A valid refresh token without the browser dance (as after a first offline consent); `token`
   * fixes its value, so a process configured before the simulator started (compose's demo) holds it.
   */
  issueRefreshToken(seed: TokenSeed & { token?: string } = {}): string {
    const { clientId, scopes, location } = this.seed(seed);
    return this.state.tokens.createRefreshToken(clientId, scopes, location, this.state.now(), seed.token).token;
  }

  /** A valid access token; minted from `refreshToken` when given (counts toward its active-token cap, not its throttle). */
  issueAccessToken(seed: TokenSeed & { refreshToken?: string } = {}): {
    accessToken: string;
    expiresAt: number;
    apiDomain: string;
  } {
    const refresh = seed.refreshToken ? this.state.tokens.refreshTokenState(seed.refreshToken) : undefined;
    if (seed.refreshToken && !refresh) throw new Error('unknown refresh token');
    const base = refresh
      ? { clientId: refresh.clientId, scopes: refresh.scopes, location: refresh.location }
      : this.seed(seed);
    const access = this.state.tokens.mintAccessToken({ ...base, refresh, now: this.state.now() });
    return {
      accessToken: access.token,
      expiresAt: access.expiresAt,
      apiDomain: this.state.dataCenter(access.location).apiDomain,
    };
  }

  /** Every access token issued so far stops working (401 INVALID_TOKEN); refresh tokens stay valid. */
  expireAccessTokens(): number {
    return this.state.tokens.expireAccessTokens(this.state.now());
  }

  revokeRefreshToken(token: string): boolean {
    return this.state.tokens.revokeRefreshToken(token);
  }

  injectFaults(...specs: FaultSpec[]): number[] {
    return specs.map((spec) => this.state.faults.add(spec));
  }

  pendingFaults(): PendingFault[] {
    return this.state.faults.list();
  }

  clearFaults(): void {
    this.state.faults.clear();
  }

  /** Records whose `field` (any string field when omitted) matches are refused with INVALID_DATA. */
  rejectRecords(rule: RejectRule | RegExp | string): void {
    const r: RejectRule = typeof rule === 'string' || rule instanceof RegExp ? { pattern: rule } : rule;
    const pattern = typeof r.pattern === 'string' ? new RegExp(r.pattern, r.flags) : r.pattern;
    const rejection: RecordRejection = { pattern, field: r.field, code: r.code, message: r.message };
    this.state.rejections.push(rejection);
  }

  clearRejections(): void {
    this.state.rejections = [];
  }

  records(): Array<Record<string, unknown>> {
    return this.state.leads.all().map(controlShape);
  }

  /** Stores leads directly (no validation, no credits), e.g. an existing lead an upsert should update. */
  seedRecords(records: Array<Record<string, unknown>>): string[] {
    const now = this.state.now();
    return records.map((fields) => this.state.leads.insert(fields, now, 0).id);
  }

  /** Deletes a record as a CRM user would (or as merging it into another does); false if there is none. */
  deleteRecord(id: string): boolean {
    return this.state.leads.remove(id) !== undefined;
  }

  /** Converts a lead as a CRM user would: it leaves Leads; see convertedRecords(). False if there is none. */
  convertRecord(id: string): boolean {
    return this.state.leads.convert(id);
  }

  convertedRecords(): Array<Record<string, unknown>> {
    return this.state.leads.convertedLeads().map(controlShape);
  }

  /** Moves simulated time forward: token/code expiry, throttle windows, credit window, search indexing. */
  advanceClock(ms: number): void {
    this.state.clockOffsetMs += ms;
  }

  /** Pretends `credits` API credits were spent now (e.g. to cross the 50 % threshold of X-API-CREDITS-REMAINING). */
  useCredits(credits: number): void {
    this.state.addCredits(credits);
  }

  /**
   * Gives every credit back, as the rolling 24 h window would a day later, without moving the
   * clock (which would also expire tokens).
   */
  resetCredits(): void {
    this.state.resetCredits();
  }

  counters(): CountersSnapshot {
    const s = this.state;
    const calls: Record<string, Record<string, number>> = {};
    for (const [endpoint, byStatus] of s.calls) calls[endpoint] = Object.fromEntries(byStatus);
    const byRefreshToken = Object.fromEntries([...s.tokens.counters.refreshes].map(([t, times]) => [t, [...times]]));
    const duplicateEmailList = s.leads.duplicateEmails();
    const creditsUsed = s.creditsUsed();
    return {
      calls,
      recordsPerCall: s.writeCalls.map((c) => c.records),
      writeCalls: s.writeCalls.map((c) => ({ ...c })),
      refreshes: {
        total: Object.values(byRefreshToken).reduce((sum, times) => sum + times.length, 0),
        byRefreshToken,
      },
      throttledRefreshes: s.tokens.counters.throttledRefreshes,
      tokenErrors: Object.fromEntries(s.tokens.counters.tokenErrors),
      codeExchanges: s.tokens.counters.codeExchanges,
      grantCodesIssued: s.tokens.counters.grantCodesIssued,
      activeAccessTokens: s.tokens.activeAccessTokens(s.now()),
      refreshTokens: s.tokens.refreshTokenCount(),
      inFlight: s.inFlight,
      maxConcurrency: s.maxConcurrency,
      maxComplexConcurrency: s.maxComplexConcurrency,
      concurrencyRejections: s.concurrencyRejections,
      creditRejections: s.creditRejections,
      creditsUsed,
      creditsRemaining: Math.max(0, s.config.dailyCredits - creditsUsed),
      faultsServed: s.faultsServed,
      pendingFaults: s.faults.list().length,
      records: s.leads.all().length,
      duplicateEmails: duplicateEmailList.length,
      duplicateEmailList,
    };
  }
}

function parseJson(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== 'object' || parsed === null) throw new Error('body must be a JSON object or array');
  return parsed as Record<string, unknown>;
}

function str(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`${name} must be a string`);
  return value;
}

function tokenSeed(body: Record<string, unknown>): TokenSeed {
  return {
    clientId: str(body.clientId, 'clientId'),
    scope: str(body.scope, 'scope'),
    location: str(body.location, 'location'),
  };
}

type Route = (body: Record<string, unknown>, url: URL) => unknown;

function routes(control: SimControl): Record<string, Route> {
  return {
    'GET /__sim/health': () => ({ ok: true }),
    'POST /__sim/reset': () => {
      control.reset();
      return { ok: true };
    },
    'GET /__sim/config': () => control.config(),
    'POST /__sim/config': (body) => control.configure(body as ConfigPatch),
    'POST /__sim/refresh-tokens': (body) => ({ refresh_token: control.issueRefreshToken(tokenSeed(body)) }),
    'POST /__sim/access-tokens': (body) => {
      const t = control.issueAccessToken({ ...tokenSeed(body), refreshToken: str(body.refreshToken, 'refreshToken') });
      return { access_token: t.accessToken, expires_at: t.expiresAt, api_domain: t.apiDomain };
    },
    'POST /__sim/expire-access-tokens': () => ({ expired: control.expireAccessTokens() }),
    'POST /__sim/revoke-refresh-token': (body) => ({
      revoked: control.revokeRefreshToken(str(body.token, 'token') ?? ''),
    }),
    'GET /__sim/faults': () => ({ faults: control.pendingFaults() }),
    'POST /__sim/faults': (body) => ({
      ids: control.injectFaults(...((Array.isArray(body) ? body : [body]) as FaultSpec[])),
    }),
    'DELETE /__sim/faults': () => {
      control.clearFaults();
      return { ok: true };
    },
    'POST /__sim/reject-records': (body) => {
      control.rejectRecords({
        pattern: str(body.pattern, 'pattern') ?? '',
        flags: str(body.flags, 'flags'),
        field: str(body.field, 'field'),
        code: str(body.code, 'code'),
        message: str(body.message, 'message'),
      });
      return { ok: true };
    },
    'DELETE /__sim/reject-records': () => {
      control.clearRejections();
      return { ok: true };
    },
    'GET /__sim/records': () => ({ records: control.records() }),
    'POST /__sim/records': (body) => {
      if (!Array.isArray(body.records)) throw new Error('records must be an array');
      return { ids: control.seedRecords(body.records as Array<Record<string, unknown>>) };
    },
    'POST /__sim/records/delete': (body) => ({ deleted: control.deleteRecord(str(body.id, 'id') ?? '') }),
    'POST /__sim/records/convert': (body) => ({ converted: control.convertRecord(str(body.id, 'id') ?? '') }),
    'GET /__sim/converted': () => ({ records: control.convertedRecords() }),
    'GET /__sim/counters': () => control.counters(),
    'POST /__sim/clock': (body) => {
      if (typeof body.advanceMs !== 'number') throw new Error('advanceMs must be a number');
      control.advanceClock(body.advanceMs);
      return { ok: true };
    },
    'POST /__sim/credits': (body) => {
      if (typeof body.used !== 'number') throw new Error('used must be a number');
      control.useCredits(body.used);
      return { ok: true };
    },
    'DELETE /__sim/credits': () => {
      control.resetCredits();
      return { ok: true };
    },
  };
}

export async function handleControl(control: SimControl, method: string, url: URL, body: string): Promise<SimResponse> {
  const route = routes(control)[`${method} ${url.pathname.replace(/\/+$/, '')}`];
  if (!route) return json(404, { error: `no control route ${method} ${url.pathname}` });
  try {
    return json(200, route(parseJson(body), url));
  } catch (error) {
    return json(400, { error: error instanceof Error ? error.message : String(error) });
  }
}
