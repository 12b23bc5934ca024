import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@leadsync/config';
import { DEFAULTS, deleteKeysUnder, freePort, startRedisServer, waitFor } from '@leadsync/local-stack';
import { Redis } from 'ioredis';
import type { AlertCondition } from './alert-plan.js';
import { createAlerter } from './alerts.js';

/** A stand-in for Slack: records every JSON body posted to it. */
async function startReceiver(): Promise<{ url: string; bodies: unknown[]; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      bodies.push(JSON.parse(raw));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const redisUrl = process.env.REDIS_URL ?? DEFAULTS.redisUrl;
const logger = createLogger({ name: 'alerts-test', level: 'silent' });
const pending: AlertCondition = { id: 'pending_over_threshold', severity: 'warning', message: '60 leads are pending' };
const redisDown: AlertCondition = { id: 'redis_unreachable', severity: 'critical', message: 'Redis is unreachable' };
const texts = (bodies: unknown[]) => bodies.map((b) => (b as { text: string }).text);

let redis: Redis;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const prefixes: string[] = [];
const newPrefix = () => {
  const prefix = `test:alerts:${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  return prefix;
};

beforeAll(async () => {
  redis = new Redis(redisUrl);
  receiver = await startReceiver();
});
afterEach(() => {
  receiver.bodies.length = 0;
});
afterAll(async () => {
  for (const prefix of prefixes) await deleteKeysUnder(redis, prefix);
  redis.disconnect();
  await receiver.close();
});

describe('alerter', () => {
  it('posts a condition once, not again within the hour, and once more when it clears', async () => {
    const alerter = createAlerter({ redis, prefix: newPrefix(), webhookUrl: receiver.url, logger });
    await alerter.update([pending]);
    await alerter.update([pending]);
    expect(texts(receiver.bodies)).toEqual(['[leadsync] WARNING: 60 leads are pending']);

    await alerter.update([]);
    await alerter.update([]);
    expect(texts(receiver.bodies)).toHaveLength(2);
    expect(texts(receiver.bodies)[1]).toMatch(/^\[leadsync\] RESOLVED after 1 min: 60 leads are pending$/);

    // a recurrence is news again
    await alerter.update([pending]);
    expect(texts(receiver.bodies)).toHaveLength(3);
  });

  it('reminds once the repeat interval has passed while the condition lasts', async () => {
    const alerter = createAlerter({ redis, prefix: newPrefix(), webhookUrl: receiver.url, logger, repeatEveryMs: 300 });
    await alerter.update([pending]);
    await alerter.update([pending]);
    expect(receiver.bodies).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await alerter.update([pending]);
    expect(texts(receiver.bodies)[1]).toMatch(/^\[leadsync\] still WARNING/);
  });

  it('posts once when several processes see the same condition at the same moment', async () => {
    const prefix = newPrefix();
    const clients = Array.from({ length: 4 }, () => new Redis(redisUrl));
    try {
      const alerters = clients.map((r) => createAlerter({ redis: r, prefix, webhookUrl: receiver.url, logger }));
      await Promise.all(alerters.map((a) => a.update([pending])));
      expect(receiver.bodies).toHaveLength(1);
      await Promise.all(alerters.map((a) => a.update([])));
      expect(receiver.bodies).toHaveLength(2);
    } finally {
      for (const c of clients) c.disconnect();
    }
  });

  it('alerts from the process itself while Redis is unreachable, and resolves when it is back', async () => {
    const port = await freePort();
    let own = await startRedisServer(port);
    const client = new Redis(own.url, { maxRetriesPerRequest: 1, commandTimeout: 500 });
    client.on('error', () => {});
    try {
      const alerter = createAlerter({ redis: client, prefix: newPrefix(), webhookUrl: receiver.url, logger });
      await own.stop();
      await alerter.update([redisDown]);
      await alerter.update([redisDown]);
      expect(texts(receiver.bodies)).toEqual(['[leadsync] CRITICAL: Redis is unreachable']);

      own = await startRedisServer(port);
      await waitFor(async () => client.status === 'ready', 'the client to reconnect');
      await alerter.update([]);
      expect(texts(receiver.bodies)).toHaveLength(2);
      expect(texts(receiver.bodies)[1]).toMatch(/^\[leadsync\] RESOLVED after 1 min: Redis is unreachable$/);
    } finally {
      client.disconnect();
      await own.stop();
    }
  });

  it('gathers permanent lead failures of a window into one post', async () => {
    const alerter = createAlerter({
      redis,
      prefix: newPrefix(),
      webhookUrl: receiver.url,
      logger,
      leadFailureWindowMs: 60_000,
    });
    alerter.leadFailed({ id: 'lead-1' }, { code: 'INVALID_DATA', message: 'bad email' });
    alerter.leadFailed({ id: 'lead-2' }, { code: 'INVALID_DATA', message: 'bad phone' });
    alerter.leadFailed({ id: 'lead-3' }, { code: 'MAPPING_FAILED', message: 'no name' });
    expect(receiver.bodies).toHaveLength(0);
    await alerter.flush();
    expect(texts(receiver.bodies)).toEqual([
      '[leadsync] 3 leads failed permanently (INVALID_DATA ×2, MAPPING_FAILED): lead-1, lead-2, lead-3. ' +
        'GET /api/leads/:id shows why; once fixed, POST /api/admin/leads/:id/retry sends it again.',
    ]);
    await alerter.flush();
    expect(receiver.bodies).toHaveLength(1);
  });

  it('never throws when the webhook is unreachable', async () => {
    const alerter = createAlerter({
      redis,
      prefix: newPrefix(),
      webhookUrl: `http://127.0.0.1:${await freePort()}/nobody`,
      logger,
    });
    await expect(alerter.update([pending])).resolves.toHaveLength(1);
  });
});
