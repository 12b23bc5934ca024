import { describe, expect, it } from '@jest/globals';
import { clusterConfigIssue, parseEnv, parseRedisNode, redisHashTag, sharedEnvSchema } from './env.js';

const required = {
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  CRON_SECRET: 'a-cron-secret-of-some-length',
};

describe('redisHashTag (the cluster specification: first { to the first } after it, not empty)', () => {
  it.each([
    ['{leadsync}', 'leadsync'],
    ['{leadsync}:test', 'leadsync'],
    ['test:{a}:b', 'a'],
    ['a}{b}', 'b'],
    ['{a}{b}', 'a'],
    ['{x', null],
    ['leadsync', null],
    ['{}leadsync', null],
    ['{}{leadsync}', null],
    ['}{', null],
  ])('%s → %s', (prefix, tag) => {
    expect(redisHashTag(prefix)).toBe(tag);
  });
});

describe('parseRedisNode', () => {
  it('reads host:port and [ipv6]:port', () => {
    expect(parseRedisNode('redis-1.internal:6380')).toEqual({ host: 'redis-1.internal', port: 6380 });
    expect(parseRedisNode('127.0.0.1:7000')).toEqual({ host: '127.0.0.1', port: 7000 });
    expect(parseRedisNode('[::1]:7000')).toEqual({ host: '::1', port: 7000 });
  });

  it.each(['redis-1', ':6379', 'host:0', 'host:70000', 'redis://host:6379', 'a b:1'])('refuses %s', (entry) => {
    expect(parseRedisNode(entry)).toBeNull();
  });

  it('refuses a long almost-matching entry (the pattern is linear)', () => {
    expect(parseRedisNode(`${'a'.repeat(50_000)}!:1`)).toBeNull();
  });
});

describe('the shared schema on Redis Cluster', () => {
  it('reads REDIS_CLUSTER_NODES as a list of nodes (empty when unset)', () => {
    expect(parseEnv(sharedEnvSchema, { ...required }).REDIS_CLUSTER_NODES).toEqual([]);
    const env = parseEnv(sharedEnvSchema, {
      ...required,
      REDIS_PREFIX: '{leadsync}',
      REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, 10.0.0.2:7001 ,',
    });
    expect(env.REDIS_CLUSTER_NODES).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ]);
  });

  it('names a bad node', () => {
    expect(() => parseEnv(sharedEnvSchema, { ...required, REDIS_CLUSTER_NODES: '10.0.0.1:7000,oops' })).toThrow(
      'REDIS_CLUSTER_NODES must be a comma list of host:port, e.g. redis-1:6379,redis-2:6379 (bad: oops)',
    );
  });

  it('refuses a cluster whose prefix has no hash tag, and says which to use', () => {
    const parse = (REDIS_PREFIX: string) =>
      parseEnv(sharedEnvSchema, { ...required, REDIS_PREFIX, REDIS_CLUSTER_NODES: '127.0.0.1:7000' });
    expect(() => parse('leadsync')).toThrow(
      /^REDIS_PREFIX must contain a hash tag such as \{leadsync\} when REDIS_CLUSTER_NODES is set/,
    );
    expect(() => parse('{}leadsync')).toThrow(/REDIS_PREFIX must contain a hash tag/);
    expect(parse('{leadsync}').REDIS_PREFIX).toBe('{leadsync}');
    expect(parse('staging:{leadsync}').REDIS_PREFIX).toBe('staging:{leadsync}');
    // one Redis server needs no hash tag
    expect(parseEnv(sharedEnvSchema, { ...required, REDIS_PREFIX: 'leadsync' }).REDIS_PREFIX).toBe('leadsync');
  });

  it('refuses a database number on a cluster (a cluster has only database 0)', () => {
    expect(() =>
      parseEnv(sharedEnvSchema, {
        ...required,
        REDIS_URL: 'redis://127.0.0.1:7000/2',
        REDIS_PREFIX: '{leadsync}',
        REDIS_CLUSTER_NODES: '127.0.0.1:7000',
      }),
    ).toThrow(/^REDIS_URL must not name a database/);
    expect(
      clusterConfigIssue({ REDIS_URL: 'rediss://u:p@h:1/0', REDIS_PREFIX: '{x}', REDIS_CLUSTER_NODES: [{}] }),
    ).toBeNull();
  });

  it('holds for the schemas extended from the shared one, and for values of the wrong shape', () => {
    const extended = sharedEnvSchema.extend({});
    expect(() => parseEnv(extended, { ...required, REDIS_CLUSTER_NODES: 'h:1' })).toThrow(/hash tag/);
    expect(clusterConfigIssue({ REDIS_CLUSTER_NODES: 'h:1', REDIS_PREFIX: 'x' })).toBeNull();
    expect(clusterConfigIssue({ REDIS_CLUSTER_NODES: [{ host: 'h', port: 1 }], REDIS_PREFIX: 7 })).toBeNull();
  });
});
