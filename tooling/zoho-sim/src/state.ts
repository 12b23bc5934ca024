import { resolveConfig, type SimConfig, type ZohoSimOptions } from './config.js';
import type { DataCenterInfo } from './data-centers.js';
import { type Endpoint, FaultQueue, type RecordRejection } from './faults.js';
import { LeadStore } from './leads.js';
import { TokenStore } from './tokens.js';

const DAY_MS = 24 * 60 * 60_000;

export interface WriteCall {
  endpoint: 'insert' | 'upsert' | 'update';
  records: number;
  status: number;
}

/** Everything the simulator knows; shared by every data-centre server of one simulator. */
export class SimState {
  config: SimConfig;
  readonly tokens: TokenStore;
  readonly leads = new LeadStore();
  readonly faults = new FaultQueue();
  rejections: RecordRejection[] = [];
  readonly dataCenters = new Map<string, DataCenterInfo>();
  /** Tests move simulated time forward instead of sleeping (code TTL, token expiry, throttle windows). */
  clockOffsetMs = 0;

  calls = new Map<Endpoint, Map<string, number>>();
  writeCalls: WriteCall[] = [];
  inFlight = 0;
  maxConcurrency = 0;
  complexInFlight = 0;
  maxComplexConcurrency = 0;
  concurrencyRejections = 0;
  creditRejections = 0;
  faultsServed = 0;
  private credits: Array<{ at: number; cost: number }> = [];

  constructor(private readonly options: ZohoSimOptions) {
    this.config = resolveConfig(options);
    this.tokens = new TokenStore(
      () => this.config,
      (location) => this.dataCenter(location).apiDomain,
    );
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  dataCenter(location: string): DataCenterInfo {
    const dc = this.dataCenters.get(location);
    if (!dc) throw new Error(`data centre "${location}" is not served by this simulator`);
    return dc;
  }

  /** Back to the state right after start-up, including the configuration given to startZohoSim. */
  reset(): void {
    this.config = resolveConfig(this.options);
    this.tokens.reset();
    this.leads.reset();
    this.faults.clear();
    this.rejections = [];
    this.clockOffsetMs = 0;
    this.calls = new Map();
    this.writeCalls = [];
    this.maxConcurrency = this.inFlight;
    this.maxComplexConcurrency = this.complexInFlight;
    this.concurrencyRejections = 0;
    this.creditRejections = 0;
    this.faultsServed = 0;
    this.credits = [];
  }

  countCall(endpoint: Endpoint, status: number | 'hung' | 'dropped'): void {
    const byStatus = this.calls.get(endpoint) ?? new Map<string, number>();
    byStatus.set(String(status), (byStatus.get(String(status)) ?? 0) + 1);
    this.calls.set(endpoint, byStatus);
  }

  /** Credits consumed in the rolling 24 h window. */
  creditsUsed(): number {
    const now = this.now();
    this.credits = this.credits.filter((c) => now - c.at < DAY_MS);
    return this.credits.reduce((sum, c) => sum + c.cost, 0);
  }

  tryConsumeCredits(cost: number): boolean {
    if (this.creditsUsed() + cost > this.config.dailyCredits) return false;
    this.credits.push({ at: this.now(), cost });
    return true;
  }

  /** For tests: the rolling window forgets every credit spent, as 24 hours later (without moving the clock). */
  resetCredits(): void {
    this.credits = [];
  }

  /** For tests: pretend `cost` credits were spent now (e.g. to cross the 50 % header threshold). */
  addCredits(cost: number): void {
    this.credits.push({ at: this.now(), cost });
  }
}
