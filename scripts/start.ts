// `npm start`: the whole system on one machine — the local stack, the API (with Bull Board), one
// worker, and, when no Zoho credentials are configured, the Zoho simulator they talk to instead.
// Ctrl-C stops everything this run started.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { STATE_DIR, stackDown, stackSettings, stackUp, tsxEntry, waitFor, withClient } from '@leadsync/local-stack';
import { startZohoSim, type ZohoSim } from '@leadsync/zoho-sim';

const STATE = STATE_DIR;
const say = (line = '') => console.log(line);

/** Dev-only secrets, kept across restarts so stored Zoho tokens stay decryptable. */
function devSecrets(): { CRON_SECRET: string; TOKEN_ENCRYPTION_KEY: string } {
  const file = resolve(STATE, 'dev.env');
  const current = existsSync(file)
    ? Object.fromEntries(
        readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) =>
            l
              .replace(/^export /, '')
              .split(/=(.*)/s)
              .slice(0, 2),
          ),
      )
    : {};
  const secrets = {
    CRON_SECRET: process.env.CRON_SECRET ?? current.CRON_SECRET ?? randomBytes(24).toString('hex'),
    TOKEN_ENCRYPTION_KEY:
      process.env.TOKEN_ENCRYPTION_KEY ?? current.TOKEN_ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
  };
  writeFileSync(
    file,
    Object.entries(secrets)
      .map(([k, v]) => `export ${k}=${v}\n`)
      .join(''),
    { mode: 0o600 },
  );
  return secrets;
}

function run(name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, tsxEntry(entry), {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping`);
      void stop(1);
    }
  });
  return child;
}

let stopping = false;
const children: ChildProcess[] = [];
let sim: ZohoSim | undefined;
let startedServices: string[] = [];

async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('\nstopping…');
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((done) => {
          if (c.exitCode !== null || c.signalCode !== null) return done();
          c.once('exit', () => done());
          c.kill('SIGTERM');
        }),
    ),
  );
  await sim?.close();
  await stackDown((line) => say(line), startedServices);
  process.exit(code);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

const stack = await stackUp(stackSettings(), (line) => say(line));
startedServices = stack.started;
const port = Number(process.env.PORT ?? 3000);
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: process.env.NODE_ENV ?? 'development',
  PORT: String(port),
  SUPABASE_URL: process.env.SUPABASE_URL ?? stack.SUPABASE_URL,
  SUPABASE_SERVICE_ROLE_KEY: process.env.SUPABASE_SERVICE_ROLE_KEY ?? stack.SUPABASE_SERVICE_ROLE_KEY,
  REDIS_URL: stack.REDIS_URL,
  ...devSecrets(),
};

if (!process.env.ZOHO_CLIENT_ID) {
  // No Zoho configured: a simulator stands in for it, so leads visibly flow end to end.
  sim = await startZohoSim({ port: Number(process.env.ZOHO_SIM_PORT ?? 4010), latencyMs: 150, jitterMs: 100 });
  Object.assign(env, {
    ZOHO_CLIENT_ID: 'sim-client-id',
    ZOHO_CLIENT_SECRET: 'sim-client-secret',
    ZOHO_ACCOUNTS_URL: sim.accountsUrl,
    ZOHO_API_DOMAIN: sim.apiDomain,
    ZOHO_REFRESH_TOKEN: sim.control.issueRefreshToken(),
  });
  // The simulator forgets its tokens when it stops; a token stored by an earlier run would now be
  // refused, so the stored connection is replaced by this run's.
  await withClient(stack.DATABASE_URL, (c) => c.query('delete from zoho_tokens'));
}

children.push(run('api', 'apps/api/src/server.ts', env));
await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 'the API', 30_000);
children.push(run('worker', 'apps/worker/src/worker.ts', env));

const api = `http://localhost:${port}`;
const devEnvFile = relative(process.cwd(), resolve(STATE, 'dev.env')) || resolve(STATE, 'dev.env');
say();
say('leadsync is running');
say(`  API          ${api}   (health: ${api}/readyz)`);
say(`  Demo page    ${api}/demo   (a quote form and a chat box through ${api}/embed.js)`);
say(`  Bull Board   ${api}/admin/queues   (any user name; password: CRON_SECRET from ${devEnvFile})`);
if (sim) say(`  Zoho (sim)   ${sim.url}   (records: ${sim.url}/__sim/records)`);
say(`  Supabase     ${stack.SUPABASE_URL}/rest/v1   (local stack)`);
say();
say('Send a lead:');
say(`  curl -s -X POST ${api}/api/store-lead -H 'content-type: application/json' \\`);
say(`    -d '{"name":"Ada Lovelace","email":"ada@example.com","message":"A quote, please"}'`);
say('Then look it up (status goes pending → synced within seconds):');
say(`  source ${devEnvFile} && curl -s -H "Authorization: Bearer $CRON_SECRET" ${api}/api/leads/<id>`);
say();
say('Ctrl-C stops everything this command started.');
