import { randomUUID } from 'node:crypto';
import { migrate } from '@leadsync/db/migrate';
import { type Gateway, startGateway } from './gateway.js';
import { LOCAL_ANON_KEY, LOCAL_JWT_SECRET, LOCAL_SERVICE_ROLE_KEY } from './keys.js';
import { freePort } from './ports.js';
import { createDatabase, dropDatabase, ensureRoles, withClient } from './postgres.js';
import { type PostgrestProcess, startPostgrest } from './postgrest.js';
import { isAlive } from './processes.js';
import { clearRedisPrefix } from './redis.js';
import { asAuthenticator, DEFAULTS, withDatabase } from './settings.js';

export function adminDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? DEFAULTS.databaseUrl;
}

/** The template of this run (set by prepareTestTemplate, inherited by jest's workers). */
function templateName(): string {
  return process.env.LEADSYNC_TEST_TEMPLATE ?? DEFAULTS.testTemplateDatabase;
}

/**
 * Builds the database every test file copies: roles, grants and all migrations. Copying a
 * template is far quicker than migrating per file, and each file still gets its own database.
 * The template is named after this process, so two runs on one machine (a developer's and CI's,
 * or a benchmark) never drop each other's; templates of runs that died are cleared here.
 */
export async function prepareTestTemplate(adminUrl = adminDatabaseUrl()): Promise<string> {
  await ensureRoles(adminUrl);
  const name = `${DEFAULTS.testTemplateDatabase}_${process.pid}`;
  await dropStaleTemplates(adminUrl);
  await dropDatabase(adminUrl, name);
  await createDatabase(adminUrl, name);
  await migrate(withDatabase(adminUrl, name));
  process.env.LEADSYNC_TEST_TEMPLATE = name;
  return name;
}

export async function dropTestTemplate(adminUrl = adminDatabaseUrl()): Promise<void> {
  if (process.env.LEADSYNC_TEST_TEMPLATE) await dropDatabase(adminUrl, process.env.LEADSYNC_TEST_TEMPLATE);
}

async function dropStaleTemplates(adminUrl: string): Promise<void> {
  const { rows } = await withClient(adminUrl, (c) =>
    c.query<{ datname: string }>('select datname from pg_database where datname like $1', [
      `${DEFAULTS.testTemplateDatabase}_%`,
    ]),
  );
  for (const { datname } of rows) {
    const pid = Number(datname.slice(DEFAULTS.testTemplateDatabase.length + 1));
    if (pid && !isAlive(pid)) await dropDatabase(adminUrl, datname);
  }
}

export interface IsolatedStack {
  /** SUPABASE_URL for this test file: the gateway in front of its own PostgREST. */
  supabaseUrl: string;
  serviceRoleKey: string;
  anonKey: string;
  /** Superuser URL of this file's own database, for looking at raw rows. */
  databaseUrl: string;
  redisUrl: string;
  /** Prefix for every Redis key this test file makes (BullMQ prefix, locks, rate limits). */
  redisPrefix: string;
  postgrest(): PostgrestProcess;
  gateway(): Gateway;
  stopPostgrest(): Promise<void>;
  startPostgrest(): Promise<void>;
  stopGateway(): Promise<void>;
  startGateway(): Promise<void>;
  /** Stops its services, drops its database and deletes every Redis key under its prefix. */
  teardown(): Promise<void>;
}

/**
 * A Supabase-compatible API of one's own: a fresh database copied from the template, a
 * PostgREST and a /rest/v1 gateway on spare ports. Faults injected into it touch nobody else.
 */
export async function startIsolatedStack(label = 'test'): Promise<IsolatedStack> {
  const adminUrl = adminDatabaseUrl();
  const id = randomUUID().slice(0, 8);
  const dbName = `leadsync_t_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${id}`;
  await createDatabase(adminUrl, dbName, templateName());
  const databaseUrl = withDatabase(adminUrl, dbName);

  const [restPort, adminPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
  const pgrstOptions = {
    dbUri: asAuthenticator(databaseUrl),
    port: restPort,
    adminPort,
    jwtSecret: LOCAL_JWT_SECRET,
  };
  const redisUrl = process.env.REDIS_URL ?? DEFAULTS.redisUrl;
  const redisPrefix = `test:${label}:${id}`;
  let postgrest = await startPostgrest(pgrstOptions);
  let gateway = await startGateway(postgrest.url, gatewayPort);

  return {
    supabaseUrl: gateway.url,
    serviceRoleKey: LOCAL_SERVICE_ROLE_KEY,
    anonKey: LOCAL_ANON_KEY,
    databaseUrl,
    redisUrl,
    redisPrefix,
    postgrest: () => postgrest,
    gateway: () => gateway,
    stopPostgrest: () => postgrest.stop(),
    startPostgrest: async () => {
      postgrest = await startPostgrest(pgrstOptions);
    },
    stopGateway: () => gateway.stop(),
    startGateway: async () => {
      gateway = await startGateway(postgrest.url, gatewayPort);
    },
    teardown: async () => {
      await gateway.stop().catch(() => {});
      await postgrest.stop();
      await dropDatabase(adminUrl, dbName);
      await clearRedisPrefix(redisUrl, redisPrefix);
    },
  };
}
