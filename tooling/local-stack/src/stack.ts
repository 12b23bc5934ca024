import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '@leadsync/db/migrate';
import { LOCAL_ANON_KEY, LOCAL_JWT_SECRET, LOCAL_SERVICE_ROLE_KEY } from './keys.js';
import { httpOk, waitFor } from './ports.js';
import { ensureDatabase, ensureRoles } from './postgres.js';
import { startPostgrest } from './postgrest.js';
import { isAlive } from './processes.js';
import { redisAnswers, startRedisServer } from './redis.js';
import { asAuthenticator, DEFAULTS, STATE_DIR, tsxEntry, withDatabase } from './settings.js';

export interface StackSettings {
  adminDatabaseUrl: string;
  databaseName: string;
  redisUrl: string;
  gatewayPort: number;
  postgrestPort: number;
  postgrestAdminPort: number;
}

export function stackSettings(env: NodeJS.ProcessEnv = process.env): StackSettings {
  return {
    adminDatabaseUrl: env.DATABASE_URL ?? DEFAULTS.databaseUrl,
    databaseName: env.LEADSYNC_DATABASE ?? DEFAULTS.databaseName,
    redisUrl: env.REDIS_URL ?? DEFAULTS.redisUrl,
    gatewayPort: Number(env.STACK_GATEWAY_PORT ?? DEFAULTS.gatewayPort),
    postgrestPort: Number(env.STACK_POSTGREST_PORT ?? DEFAULTS.postgrestPort),
    postgrestAdminPort: Number(env.STACK_POSTGREST_ADMIN_PORT ?? DEFAULTS.postgrestAdminPort),
  };
}

export interface StackInfo {
  /** Services this call started (the rest were already running and were reused). */
  started: string[];
  SUPABASE_URL: string;
  SUPABASE_SERVICE_ROLE_KEY: string;
  SUPABASE_ANON_KEY: string;
  REDIS_URL: string;
  DATABASE_URL: string;
}

const pidFile = (name: string) => resolve(STATE_DIR, `${name}.pid`);
const logFile = (name: string) => openSync(resolve(STATE_DIR, `${name}.log`), 'a');

function recordPid(name: string, pid: number | undefined): void {
  if (pid) writeFileSync(pidFile(name), String(pid));
}

/**
 * Brings the local Supabase-compatible stack up, reusing whatever already answers, and leaves
 * what it started running in the background (pid files in .stack/). Idempotent.
 */
export async function stackUp(s = stackSettings(), log: (line: string) => void = () => {}): Promise<StackInfo> {
  mkdirSync(STATE_DIR, { recursive: true });
  const started: string[] = [];

  if (await redisAnswers(s.redisUrl)) {
    log(`redis: reusing ${s.redisUrl}`);
  } else {
    const u = new URL(s.redisUrl);
    if (!['127.0.0.1', 'localhost'].includes(u.hostname)) throw new Error(`Redis at ${s.redisUrl} does not answer`);
    const redis = await startRedisServer(Number(u.port || 6379), { detached: true });
    recordPid('redis', redis.pid);
    started.push('redis');
    log(`redis: started redis-server on ${redis.url}`);
  }

  await ensureRoles(s.adminDatabaseUrl);
  if (await ensureDatabase(s.adminDatabaseUrl, s.databaseName)) log(`postgres: created database ${s.databaseName}`);
  const databaseUrl = withDatabase(s.adminDatabaseUrl, s.databaseName);
  const applied = await migrate(databaseUrl);
  log(applied.length ? `postgres: applied ${applied.join(', ')}` : 'postgres: migrations up to date');

  const postgrestUrl = `http://127.0.0.1:${s.postgrestPort}`;
  if (await httpOk(`http://127.0.0.1:${s.postgrestAdminPort}/ready`).catch(() => false)) {
    log(`postgrest: reusing ${postgrestUrl}`);
  } else {
    const p = await startPostgrest({
      dbUri: asAuthenticator(databaseUrl),
      port: s.postgrestPort,
      adminPort: s.postgrestAdminPort,
      jwtSecret: LOCAL_JWT_SECRET,
      detached: true,
      logFile: logFile('postgrest'),
    });
    recordPid('postgrest', p.child.pid);
    started.push('postgrest');
    log(`postgrest: started on ${postgrestUrl}`);
  }

  const gatewayUrl = `http://127.0.0.1:${s.gatewayPort}`;
  if (await httpOk(`${gatewayUrl}/`).catch(() => false)) {
    log(`gateway: reusing ${gatewayUrl}`);
  } else {
    const out = logFile('gateway');
    const main = fileURLToPath(new URL('./gateway-main.ts', import.meta.url));
    const child = spawn(process.execPath, tsxEntry(main, postgrestUrl, String(s.gatewayPort)), {
      detached: true,
      stdio: ['ignore', out, out],
    });
    child.unref();
    recordPid('gateway', child.pid);
    started.push('gateway');
    await waitFor(() => httpOk(`${gatewayUrl}/`), `the gateway on ${gatewayUrl}`);
    log(`gateway: started on ${gatewayUrl} (/rest/v1 → PostgREST)`);
  }

  return {
    started,
    SUPABASE_URL: gatewayUrl,
    SUPABASE_SERVICE_ROLE_KEY: LOCAL_SERVICE_ROLE_KEY,
    SUPABASE_ANON_KEY: LOCAL_ANON_KEY,
    REDIS_URL: s.redisUrl,
    DATABASE_URL: databaseUrl,
  };
}

/** Stops only what stackUp started (the pid files); shared services are left alone. */
export async function stackDown(
  log: (line: string) => void = () => {},
  only: string[] = ['gateway', 'postgrest', 'redis'],
): Promise<void> {
  for (const name of ['gateway', 'postgrest', 'redis'].filter((n) => only.includes(n))) {
    let pid: number;
    try {
      pid = Number(readFileSync(pidFile(name), 'utf8'));
    } catch {
      continue;
    }
    try {
      process.kill(pid, 'SIGTERM');
      await waitFor(async () => !isAlive(pid), `${name} (pid ${pid}) to stop`, 10000);
      log(`${name}: stopped (pid ${pid})`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      log(`${name}: was not running`);
    }
    rmSync(pidFile(name), { force: true });
  }
}
