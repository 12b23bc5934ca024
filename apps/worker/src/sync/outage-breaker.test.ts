import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createOutageBreaker } from './outage-breaker.js';

const logger = pino({ level: 'silent' });
const backoff = { baseMs: 1000, maxMs: 60_000 };

describe('the outage breaker against Redis', () => {
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const prefix = `test-breaker-${randomUUID().slice(0, 8)}`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('is shared by every worker: one opens it, all wait, one probes, its success resumes all', async () => {
    let now = 1_000_000;
    const make = () => createOutageBreaker({ redis, prefix, backoff, probeTurnMs: 30_000, logger, now: () => now });
    const [a, b] = [make(), make()];
    expect(await a.admit()).toEqual({ kind: 'run' });

    const probeAt = await a.tripped();
    expect(probeAt.getTime() - now).toBeGreaterThanOrEqual(backoff.baseMs / 2);
    expect(await b.admit()).toEqual({ kind: 'wait', until: probeAt });
    // b's call was in flight when a opened it: the wait stays as it was
    expect(await b.tripped()).toEqual(probeAt);

    now = probeAt.getTime();
    expect(await b.admit()).toEqual({ kind: 'probe' });
    // the others look again after at most the base delay while the probe is out
    expect(await a.admit()).toEqual({ kind: 'wait', until: new Date(now + backoff.baseMs) });

    // the probe fails: a longer wait, and the turn is free for the next probe
    const second = await b.tripped();
    expect(second.getTime() - now).toBeGreaterThanOrEqual(backoff.baseMs);
    now = second.getTime();
    expect(await a.admit()).toEqual({ kind: 'probe' });
    await a.probed(true);
    expect(await b.admit()).toEqual({ kind: 'run' });
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });

  it('gives the turn back when a probe learned nothing (no lead was due)', async () => {
    let now = 5_000_000;
    const breaker = createOutageBreaker({ redis, prefix, backoff, probeTurnMs: 30_000, logger, now: () => now });
    now = (await breaker.tripped()).getTime();
    expect(await breaker.admit()).toEqual({ kind: 'probe' });
    await breaker.probed(false);
    expect(await breaker.admit()).toEqual({ kind: 'probe' });
    await breaker.probed(true);
  });

  it('keeps pausing on what this process saw last while Redis is unreachable', async () => {
    // every command fails, as ioredis's do with maxRetriesPerRequest while Redis is away
    const refuse = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    const down = { get: refuse, set: refuse, pttl: refuse, del: refuse };
    let now = 1_000;
    const breaker = createOutageBreaker({ redis: down, prefix, backoff, probeTurnMs: 30_000, logger, now: () => now });
    expect(await breaker.admit()).toEqual({ kind: 'run' });
    const probeAt = await breaker.tripped();
    expect(await breaker.admit()).toEqual({ kind: 'wait', until: probeAt });
    now = probeAt.getTime();
    expect(await breaker.admit()).toEqual({ kind: 'probe' });
    await breaker.probed(true);
    expect(await breaker.admit()).toEqual({ kind: 'run' });
  });
});
