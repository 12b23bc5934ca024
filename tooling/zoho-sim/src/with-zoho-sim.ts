import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { startZohoSim, type ZohoSim, type ZohoSimOptions } from './index.js';

/** The simulator of one test file, and an access token valid in it for the current test. */
export interface SimFixture {
  sim: ZohoSim;
  /** Issued afresh before each test; a test may replace it (another scope, a revoked one). */
  token: string;
}

/**
 * Registers the hooks a simulator test file needs: one simulator for the file, reset before each
 * test (so no test sees another's records, faults or counters) with a fresh access token. Read
 * `fixture.sim` and `fixture.token` inside tests and hooks; they are set once the hooks ran. Its
 * own file, not testing.ts: that one is exported from the package, and @jest/globals may only be
 * loaded under jest.
 */
export function withZohoSim(options?: ZohoSimOptions): SimFixture {
  const fixture = {} as SimFixture;
  beforeAll(async () => {
    fixture.sim = await startZohoSim(options);
  });
  afterAll(async () => {
    await fixture.sim?.close();
  });
  beforeEach(() => {
    fixture.sim.control.reset();
    fixture.token = fixture.sim.control.issueAccessToken().accessToken;
  });
  return fixture;
}
