import { existsSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { Cluster } from 'ioredis';
import { isAlive } from './processes.js';
import { redisAnswers } from './redis.js';
import { parseClusterInfo, startRedisCluster } from './redis-cluster.js';
import { DEFAULTS } from './settings.js';

describe('parseClusterInfo', () => {
  it('reads the key:value lines of CLUSTER INFO', () => {
    expect(parseClusterInfo('cluster_state:ok\r\ncluster_slots_ok:16384\r\n\r\ncluster_known_nodes:3\r\n')).toEqual({
      cluster_state: 'ok',
      cluster_slots_ok: '16384',
      cluster_known_nodes: '3',
    });
    expect(parseClusterInfo('')).toEqual({});
  });
});

describe('startRedisCluster', () => {
  it('starts three masters that serve every slot, and stop() ends only those and removes their files', async () => {
    const cluster = await startRedisCluster({ masters: 3 });
    expect(cluster.servers).toHaveLength(3);
    expect(existsSync(cluster.dir)).toBe(true);
    expect(cluster.nodes).toHaveLength(3);
    expect(new Set(cluster.nodes.map((n) => n.port)).size).toBe(3);
    expect(cluster.nodesEnv).toBe(cluster.nodes.map((n) => `127.0.0.1:${n.port}`).join(','));

    const client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: 1 } });
    try {
      // keys in slots of different masters: each master took a share of the slots
      const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
      for (const key of keys) await client.set(key, key);
      const owners = new Set(
        await Promise.all(keys.map(async (key) => (await client.cluster('KEYSLOT', key)) as number)),
      );
      expect(owners.size).toBeGreaterThan(1);
      expect(client.nodes('master')).toHaveLength(3);
      for (const key of keys) expect(await client.get(key)).toBe(key);
    } finally {
      client.disconnect();
    }

    const pids = cluster.servers.map((s) => s.pid);
    await cluster.stop();
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(existsSync(cluster.dir)).toBe(false);
    // the shared Redis other tests use was not touched
    expect(await redisAnswers(process.env.REDIS_URL ?? DEFAULTS.redisUrl)).toBe(true);
  }, 90_000);

  it('also forms with the bus on client port + 10000 (how Redis before 7 always does it)', async () => {
    const cluster = await startRedisCluster({ masters: 3, busPorts: 'plus-10000' });
    try {
      for (const n of cluster.nodes) expect(n.port + 10_000).toBeLessThanOrEqual(65_535);
      const client = new Cluster(cluster.nodes);
      try {
        await client.set('{t}:x', '1');
        expect(await client.get('{t}:x')).toBe('1');
      } finally {
        client.disconnect();
      }
    } finally {
      await cluster.stop();
    }
  }, 90_000);
});
