import type { SimConfig } from './config.js';
import type { ConfigPatch, CountersSnapshot, TokenSeed } from './control.js';
import type { FaultSpec, PendingFault } from './faults.js';

/** The /__sim/ control API of a simulator running in another process, with the same method names as SimControl. */
export class SimControlClient {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/__sim/${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(`zoho-sim control ${method} ${path}: ${parsed.error ?? response.status}`);
    return parsed;
  }

  async reset(): Promise<void> {
    await this.call('POST', 'reset');
  }

  config(): Promise<SimConfig> {
    return this.call('GET', 'config');
  }

  configure(patch: ConfigPatch): Promise<SimConfig> {
    return this.call('POST', 'config', patch);
  }

  async issueRefreshToken(seed: TokenSeed = {}): Promise<string> {
    return (await this.call<{ refresh_token: string }>('POST', 'refresh-tokens', seed)).refresh_token;
  }

  async issueAccessToken(
    seed: TokenSeed & { refreshToken?: string } = {},
  ): Promise<{ accessToken: string; expiresAt: number; apiDomain: string }> {
    const r = await this.call<{ access_token: string; expires_at: number; api_domain: string }>(
      'POST',
      'access-tokens',
      seed,
    );
    return { accessToken: r.access_token, expiresAt: r.expires_at, apiDomain: r.api_domain };
  }

  async expireAccessTokens(): Promise<number> {
    return (await this.call<{ expired: number }>('POST', 'expire-access-tokens')).expired;
  }

  async revokeRefreshToken(token: string): Promise<boolean> {
    return (await this.call<{ revoked: boolean }>('POST', 'revoke-refresh-token', { token })).revoked;
  }

  async injectFaults(...specs: FaultSpec[]): Promise<number[]> {
    return (await this.call<{ ids: number[] }>('POST', 'faults', specs)).ids;
  }

  async pendingFaults(): Promise<PendingFault[]> {
    return (await this.call<{ faults: PendingFault[] }>('GET', 'faults')).faults;
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', 'faults');
  }

  async rejectRecords(rule: {
    pattern: string;
    flags?: string;
    field?: string;
    code?: string;
    message?: string;
  }): Promise<void> {
    await this.call('POST', 'reject-records', rule);
  }

  async clearRejections(): Promise<void> {
    await this.call('DELETE', 'reject-records');
  }

  async records(): Promise<Array<Record<string, unknown>>> {
    return (await this.call<{ records: Array<Record<string, unknown>> }>('GET', 'records')).records;
  }

  async seedRecords(records: Array<Record<string, unknown>>): Promise<string[]> {
    return (await this.call<{ ids: string[] }>('POST', 'records', { records })).ids;
  }

  async deleteRecord(id: string): Promise<boolean> {
    return (await this.call<{ deleted: boolean }>('POST', 'records/delete', { id })).deleted;
  }

  async convertRecord(id: string): Promise<boolean> {
    return (await this.call<{ converted: boolean }>('POST', 'records/convert', { id })).converted;
  }

  async convertedRecords(): Promise<Array<Record<string, unknown>>> {
    return (await this.call<{ records: Array<Record<string, unknown>> }>('GET', 'converted')).records;
  }

  async advanceClock(ms: number): Promise<void> {
    await this.call('POST', 'clock', { advanceMs: ms });
  }

  async useCredits(credits: number): Promise<void> {
    await this.call('POST', 'credits', { used: credits });
  }

  async resetCredits(): Promise<void> {
    await this.call('DELETE', 'credits');
  }

  counters(): Promise<CountersSnapshot> {
    return this.call('GET', 'counters');
  }
}
