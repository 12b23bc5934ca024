import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@leadsync/config';
import { DEFAULTS, type RedisClusterProcess, startRedisCluster } from '@leadsync/local-stack';
import { createRedisClient, type RedisClient, type RedisSettings } from '@leadsync/queue';
import express from 'express';
import { intakeRateLimit } from './rate-limit.js';

const logger = createLogger({ name: 'rate-limit-test', level: 'silent' });

/** An app behind the limit; answers with the statuses of `n` requests in turn. */
async function statusesOf(redis: RedisClient, keyPrefix: string, perMinute: number, n: number): Promise<number[]> {
  const app = express();
  app.use(intakeRateLimit({ redis, keyPrefix, perMinute, logger }));
  app.get('/', (_req, res) => {
    res.send('ok');
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) statuses.push((await fetch(url)).status);
    return statuses;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('the intake rate limit', () => {
  it('holds on one Redis server', async () => {
    const redis = createRedisClient({ REDIS_URL: process.env.REDIS_URL ?? DEFAULTS.redisUrl });
    try {
      await redis.ping();
      expect(await statusesOf(redis, `test:rl:${randomUUID()}`, 3, 5)).toEqual([200, 200, 200, 429, 429]);
    } finally {
      redis.disconnect();
    }
  });

  describe('on a Redis Cluster', () => {
    let cluster: RedisClusterProcess;
    let settings: RedisSettings;
    beforeAll(async () => {
      cluster = await startRedisCluster({ masters: 3 });
      settings = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: cluster.nodes };
    }, 90_000);
    afterAll(async () => {
      await cluster?.stop();
    });

    it('holds whichever node owns the key: its script is run where the key lives', async () => {
      const redis = createRedisClient(settings);
      try {
        await redis.ping();
        // several prefixes, so the counters land on different masters' slots
        for (let i = 0; i < 6; i++) {
          expect(await statusesOf(redis, `{test-rl-${i}-${randomUUID().slice(0, 6)}}`, 2, 3)).toEqual([200, 200, 429]);
        }
      } finally {
        redis.disconnect();
      }
    }, 60_000);
  });
});
