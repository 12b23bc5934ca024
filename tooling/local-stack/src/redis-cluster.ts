import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, waitFor } from './ports.js';
import { StackUnavailableError } from './postgres.js';
import { type RedisProcess, startRedisServer } from './redis.js';

const run = promisify(execFile);

export interface RedisClusterNode {
  host: string;
  port: number;
}

export interface RedisClusterProcess {
  nodes: RedisClusterNode[];
  /** REDIS_CLUSTER_NODES for these nodes: `127.0.0.1:P1,127.0.0.1:P2,…`. */
  nodesEnv: string;
  /** Every node's redis-server process. */
  servers: RedisProcess[];
  /** The temp directory holding the nodes' cluster config files. */
  dir: string;
  /** Stops only these redis-server processes and removes their directory. */
  stop(): Promise<void>;
}

export function redisClusterToolsOnPath(): boolean {
  return ['redis-server', 'redis-cli'].every((bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0);
}

/** CLUSTER INFO's fields, read from its `key:value` lines. Pure. */
export function parseClusterInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return out;
}

/** The major version of the redis-server on the PATH (0 if it cannot tell). */
export function redisServerMajorVersion(): number {
  const out = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout ?? '';
  const m = /v=(\d+)\./.exec(out);
  return m ? Number(m[1]) : 0;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A client port and a cluster bus port, both free. Redis 7 takes the bus port as --cluster-port;
 * older ones always use client port + 10000, so that one must be free (and exist) too.
 */
async function nodePorts(ownBusPort: boolean): Promise<{ port: number; busPort?: number }> {
  for (let tries = 0; tries < 100; tries++) {
    const port = await freePort();
    if (ownBusPort) return { port, busPort: await freePort() };
    if (port + 10_000 <= 65_535 && (await portFree(port + 10_000))) return { port };
  }
  throw new Error('found no free pair of ports for a Redis Cluster node');
}

async function clusterReady(node: RedisClusterNode, nodeCount: number): Promise<boolean> {
  const client = new Redis({ ...node, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    const info = parseClusterInfo(String(await client.call('CLUSTER', 'INFO')));
    return (
      info.cluster_state === 'ok' && info.cluster_slots_ok === '16384' && Number(info.cluster_known_nodes) === nodeCount
    );
  } finally {
    client.disconnect();
  }
}

/**
 * A throw-away Redis Cluster on loopback: `masters` redis-server processes with cluster mode on
 * (each with its own free client and bus port, its files in a temp directory, nothing persisted),
 * joined by `redis-cli --cluster create` with no replicas. Resolves once every node reports
 * `cluster_state:ok` with all 16384 slots and every node known, so the first command finds its slot.
 */
export async function startRedisCluster(
  options: {
    masters?: number;
    /** How nodes get their bus port; default: `own` on Redis 7 and later, else `plus-10000`. */
    busPorts?: 'own' | 'plus-10000';
  } = {},
): Promise<RedisClusterProcess> {
  const masters = options.masters ?? 3;
  if (masters < 3) throw new Error('redis-cli --cluster create needs at least 3 masters');
  if (!redisClusterToolsOnPath()) {
    throw new StackUnavailableError(
      'redis-server and redis-cli must be on the PATH to start a Redis Cluster (Debian: apt-get install redis-server redis-tools).',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'leadsync-redis-cluster-'));
  const servers: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const nodes: RedisClusterNode[] = [];
    const ownBusPort = (options.busPorts ?? (redisServerMajorVersion() >= 7 ? 'own' : 'plus-10000')) === 'own';
    for (let i = 0; i < masters; i++) {
      // on Redis 7 the cluster bus gets a free port of its own, not port + 10000 (which may be taken)
      const { port, busPort } = await nodePorts(ownBusPort);
      servers.push(
        await startRedisServer(port, {
          dir,
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            ...(busPort === undefined ? [] : ['--cluster-port', String(busPort)]),
            '--cluster-node-timeout',
            '5000',
          ],
        }),
      );
      nodes.push({ host: '127.0.0.1', port });
    }
    await run(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `${n.host}:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 60_000 },
    );
    await waitFor(
      async () => (await Promise.all(nodes.map((n) => clusterReady(n, masters)))).every(Boolean),
      `a Redis Cluster of ${masters} masters to report cluster_state:ok`,
      60_000,
    );
    return { nodes, nodesEnv: nodes.map((n) => `${n.host}:${n.port}`).join(','), servers, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
