import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, type RedisProcess, startRedisServer } from '@leadsync/local-stack';
import { startTestApi, type TestApi } from '../../apps/api/src/testing/harness.js';
import { type SyncHarness, startSyncHarness } from '../support/sync-harness.js';

/**
 * Redis is only the nudge: with it down, intake still stores and acknowledges, and once it is
 * back the scheduled drain (triggered here) delivers what was stored meanwhile.
 */
describe('a Redis outage during intake', () => {
  let redis: RedisProcess;
  let port: number;
  let h: SyncHarness;
  let api: TestApi;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedisServer(port);
    // no sweep: only the drain triggered below may deliver what was stored during the outage
    h = await startSyncHarness('redis-outage', { env: { REDIS_URL: redis.url, SYNC_SWEEP_EVERY_MS: '0' } });
    api = await startTestApi(h.stack, { REDIS_URL: redis.url, REDIS_PREFIX: h.stack.redisPrefix });
  });
  afterAll(async () => {
    await api.stop();
    await h.teardown();
    await redis.stop();
  });

  it('acknowledges leads while Redis is down and delivers them after the drain', async () => {
    await redis.stop();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${api.url}/api/store-lead`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Outage Person${i}`, email: `outage-${i}@example.com` }),
      });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { id: string }).id);
    }
    expect((await h.countByStatus()).pending).toBe(20);
    expect(api.nudged).toHaveLength(0);

    redis = await startRedisServer(port);
    await h.startWorker();
    // the lost nudges are not replayed: the leads wait for the drain
    expect((await h.countByStatus()).synced ?? 0).toBe(0);
    await h.triggerDrain();
    await h.waitForStatus('synced', 20);
    expect(h.sim.control.counters().records).toBe(20);
    expect(h.sim.control.counters().duplicateEmails).toBe(0);
    for (const id of ids) expect((await h.db.leads.get(id))?.status).toBe('synced');
  });
});
