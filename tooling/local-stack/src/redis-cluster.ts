import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
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
export async function startRedisCluster(options: { masters?: number } = {}): Promise<RedisClusterProcess> {
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
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      // the cluster bus gets a free port of its own, not port + 10000 (which may be taken or out of range)
      const busPort = await freePort();
      servers.push(
        await startRedisServer(port, {
          dir,
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            '--cluster-port',
            String(busPort),
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
