import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConcurrencyLimitError, CreditsExhaustedError } from '@leadsync/zoho-client';
import { Redis } from 'ioredis';
import pino from 'pino';
import { DEFAULT_THROTTLE, type ThrottleSettings } from './throttle.js';
import { CreditPauseError, createZohoPressure } from './zoho-pressure.js';

const logger = pino({ level: 'silent' });
const HOUR = 3_600_000;
const settings: ThrottleSettings = { ...DEFAULT_THROTTLE, max: 8, reserve: 100, creditsProbeMs: HOUR };

describe('the Zoho pressure control against Redis', () => {
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  afterAll(async () => {
    const keys = await redis.keys('test-pressure-*');
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });
  const cluster = (released?: () => Promise<boolean>) => {
    const prefix = `test-pressure-${randomUUID().slice(0, 8)}`;
    const clock = { now: 1_000_000 };
    const pauses: number[] = [];
    const applied: Array<[string, number]> = [];
    const make = (name: string) =>
      createZohoPressure({
        redis,
        prefix,
        settings,
        logger,
        now: () => clock.now,
        random: () => 0.5,
        apply: (n) => {
          applied.push([name, n]);
        },
        onPause: (p) => pauses.push(p.until),
        released,
      });
    return { prefix, clock, pauses, applied, make };
  };
  const settle = () => new Promise((r) => setTimeout(r, 50));

  it('one worker seeing the credits at the reserve pauses all, once; the probe after it goes alone, and a repeat waits longer', async () => {
    const { clock, pauses, make } = cluster();
    const [a, b] = [make('a'), make('b')];
    await settle();
    expect(await b.admit()).toEqual({ kind: 'run', concurrency: 8 });

    a.credits({ remaining: 40, at: new Date(clock.now) });
    await settle();
    const until = clock.now + HOUR;
    clock.now += 1000;
    expect(await b.admit()).toEqual({ kind: 'wait', until: new Date(until), reason: 'credit_reserve' });
    // b's call in flight met the 429 for credits: the same pause, no second alert
    const err = new CreditsExhaustedError('TOO_MANY_REQUESTS', '429', new Date(clock.now + 60_000), 0);
    expect(await b.exhausted(err)).toEqual(new Date(until));
    expect(pauses).toEqual([until]);
    await expect(b.run(async () => 'sent')).rejects.toBeInstanceOf(CreditPauseError);

    // the pause is over: one call probes (concurrency 1) whether credits came back
    clock.now = until;
    expect(await a.admit()).toEqual({ kind: 'run', concurrency: 1 });
    a.credits({ remaining: 20, at: new Date(clock.now) });
    await settle();
    // still at the reserve: the second pause is twice as long
    expect(pauses).toEqual([until, clock.now + 2 * HOUR]);
    clock.now += 2 * HOUR;
    a.credits({ remaining: null, at: new Date(clock.now) });
    await a.succeeded();
    clock.now += 1000;
    expect(await b.admit()).toEqual({ kind: 'run', concurrency: 8 });
  });

  it('a concurrency 429 on one worker lowers the whole cluster; successes raise it again', async () => {
    const { clock, applied, make } = cluster();
    const [a, b] = [make('a'), make('b')];
    await settle();
    const retryAt = await a.collided(new ConcurrencyLimitError('TOO_MANY_REQUESTS', '429', new Date(clock.now), 5000));
    expect(retryAt).toEqual(new Date(clock.now + 1000));
    clock.now += 300;
    expect(await b.admit()).toEqual({ kind: 'run', concurrency: 4 });
    expect(applied).toEqual([
      ['a', 4],
      ['b', 4],
    ]);
    // run() hands the sync path the controller's retry time
    clock.now += 2000;
    const refused = await b
      .run(async () => {
        throw new ConcurrencyLimitError('TOO_MANY_REQUESTS', '429', new Date(clock.now), 5000);
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConcurrencyLimitError);
    expect((refused as ConcurrencyLimitError).retryAt).toEqual(new Date(clock.now + 2000));
    clock.now += DEFAULT_THROTTLE.increaseAfterMs;
    await a.run(async () => 'ok');
    clock.now += 300;
    expect(await b.admit()).toEqual({ kind: 'run', concurrency: 3 });
  });

  it("an operator releasing the queue's rate limit (Bull Board) ends a credit pause: one call probes at once", async () => {
    let rateLimited = true;
    const { clock, make } = cluster(async () => !rateLimited);
    const a = make('a');
    await settle();
    a.credits({ remaining: 0, at: new Date(clock.now) });
    await settle();
    clock.now += 1000;
    expect(await a.admit()).toMatchObject({ kind: 'wait', reason: 'credits_exhausted' });
    // released right away: taken as the pause's own rate limit still on its way
    rateLimited = false;
    expect(await a.admit()).toMatchObject({ kind: 'wait' });
    clock.now += 10_000;
    expect(await a.admit()).toEqual({ kind: 'run', concurrency: 1 });
    a.credits({ remaining: null, at: new Date(clock.now) });
    await settle();
    expect(await a.admit()).toEqual({ kind: 'run', concurrency: 8 });
  });
});
