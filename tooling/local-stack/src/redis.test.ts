// localRedisPid: the benches count a local Redis's CPU beside their own processes (bench/drain.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from './ports.js';
import { localRedisPid, type RedisProcess, redisServerOnPath, startRedisServer } from './redis.js';

const haveRedisServer = redisServerOnPath();

describe('localRedisPid', () => {
  let redis: RedisProcess | undefined;
  beforeAll(async () => {
    if (haveRedisServer) redis = await startRedisServer(await freePort());
  });
  afterAll(async () => {
    await redis?.stop();
  });

  (haveRedisServer ? it : it.skip)('names the process of a Redis on this machine, from its own INFO', async () => {
    expect(await localRedisPid(redis!.url)).toBe(redis!.pid);
  });

  it('is null where no Redis answers', async () => {
    expect(await localRedisPid(`redis://127.0.0.1:${await freePort()}`)).toBeNull();
  });
});
