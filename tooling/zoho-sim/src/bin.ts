#!/usr/bin/env -S tsx
import { parseArgs } from 'node:util';
import type { DataCenterOption, SimClient } from './config.js';
import { startZohoSim } from './index.js';

const USAGE = `usage: zoho-sim [--port 4010] [--host 127.0.0.1] [--latency-ms 0] [--jitter-ms 0]
  [--access-token-ttl 3600] [--concurrency 10] [--daily-credits 50000] [--search-index-delay-ms 0]
  [--dc eu[:port]]... [--user-location us] [--client id:secret[:redirectUri]]... [--no-unique-email]
  [--refresh-token TOKEN]   (a valid refresh token with this value, for the first client)`;

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got "${value}"`);
  return n;
}

function dataCenter(spec: string): DataCenterOption {
  const [location, port] = spec.split(':');
  return { location: location!, port: number(port, 'dc') };
}

function client(spec: string): SimClient {
  const [clientId, clientSecret, ...rest] = spec.split(':');
  if (!clientId || !clientSecret) throw new Error(`--client must be id:secret[:redirectUri], got "${spec}"`);
  const redirect = rest.join(':');
  return { clientId, clientSecret, redirectUris: redirect ? [redirect] : [] };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'latency-ms': { type: 'string' },
      'jitter-ms': { type: 'string' },
      'access-token-ttl': { type: 'string' },
      concurrency: { type: 'string' },
      'daily-credits': { type: 'string' },
      'search-index-delay-ms': { type: 'string' },
      dc: { type: 'string', multiple: true },
      'user-location': { type: 'string' },
      client: { type: 'string', multiple: true },
      'no-unique-email': { type: 'boolean' },
      'refresh-token': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const sim = await startZohoSim({
    port: number(values.port, 'port'),
    host: values.host,
    latencyMs: number(values['latency-ms'], 'latency-ms'),
    jitterMs: number(values['jitter-ms'], 'jitter-ms'),
    accessTokenTtlSeconds: number(values['access-token-ttl'], 'access-token-ttl'),
    concurrencyLimit: number(values.concurrency, 'concurrency'),
    dailyCredits: number(values['daily-credits'], 'daily-credits'),
    searchIndexDelayMs: number(values['search-index-delay-ms'], 'search-index-delay-ms'),
    dataCenters: values.dc?.map(dataCenter),
    userLocation: values['user-location'],
    clients: values.client?.map(client),
    uniqueEmail: values['no-unique-email'] ? false : undefined,
  });
  if (values['refresh-token']) sim.control.issueRefreshToken({ token: values['refresh-token'] });
  const others = Object.values(sim.dataCenters)
    .filter((dc) => dc.location !== 'us')
    .map((dc) => `${dc.location}=${dc.accountsUrl}`);
  console.log(`zoho-sim listening on ${sim.url}${others.length > 0 ? ` (${others.join(' ')})` : ''}`);
  const stop = () => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`zoho-sim: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
