import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apiEnvSchema } from '@leadsync/api';
import { sharedEnvSchema } from '@leadsync/config';
import { migrateEnvSchema } from '@leadsync/db/migrate';
import { type IsolatedStack, REPO_ROOT, startIsolatedStack } from '@leadsync/local-stack';
import { workerEnvSchema } from '@leadsync/worker/config';
import { parse, parseAllDocuments } from 'yaml';
import { startTestApi, type TestApi } from '../../apps/api/src/testing/harness.js';

/**
 * What can be checked of docker-compose.yml, the Dockerfile, the Kubernetes manifests and
 * .env.example without Docker or a cluster: every command is one the build produces or a
 * package.json script, every variable set is one a config schema reads, and the ports and
 * health paths are the API's.
 */
const read = (rel: string) => readFileSync(join(REPO_ROOT, rel), 'utf8');
const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
const built = new Set<string>(JSON.parse(read('tsconfig.json')).references.map((r: { path: string }) => r.path));

const keys = (schema: { shape: object } | { in: { shape: object } }) =>
  Object.keys('shape' in schema ? schema.shape : schema.in.shape);
/** Read outside the zod schemas: the alias parseEnv maps, and the mapping packages/zoho-client reads. */
const READ_ELSEWHERE = ['NEXT_PUBLIC_SUPABASE_URL', 'ZOHO_FIELD_MAPPING'];
const SCHEMAS = {
  api: new Set([...keys(apiEnvSchema), ...READ_ELSEWHERE]),
  worker: new Set([...keys(workerEnvSchema), ...READ_ELSEWHERE]),
  migrate: new Set(keys(migrateEnvSchema)),
} as const;
const KNOWN = new Set(Object.values(SCHEMAS).flatMap((s) => [...s]));

/** The process a command starts, when it is one the build produces (or a script that runs one). */
function processOf(command: string[]): keyof typeof SCHEMAS | 'simulator' {
  const [bin, ...rest] = command;
  if (bin === 'npm') {
    const script = rest[0] === 'run' ? rest[1]! : rest[0]!;
    expect(Object.keys(scripts)).toContain(script);
    return processOf(scripts[script]!.split(' '));
  }
  expect(bin).toBe('node');
  const entry = rest[0]!;
  // node <workspace>/dist/<file>.js: compiled by tsc -b from <workspace>/src/<file>.ts
  const match = /^((?:apps|packages|tooling)\/[^/]+)\/dist\/(.+)\.js$/.exec(entry);
  expect(match).not.toBeNull();
  const [, workspace, file] = match!;
  expect(built).toContain(workspace);
  expect(existsSync(join(REPO_ROOT, workspace!, 'src', `${file}.ts`))).toBe(true);
  const named = { 'apps/api/dist/server.js': 'api', 'apps/worker/dist/worker.js': 'worker' } as const;
  if (entry in named) return named[entry as keyof typeof named];
  if (entry === 'packages/db/dist/migrate-cli.js') return 'migrate';
  expect(entry).toBe('tooling/zoho-sim/dist/bin.js');
  return 'simulator';
}

function expectKnown(names: string[], process: keyof typeof SCHEMAS | 'simulator', where: string): void {
  const known = process === 'simulator' ? new Set<string>() : SCHEMAS[process];
  expect({ where, unknown: names.filter((n) => !known.has(n)) }).toEqual({ where, unknown: [] });
}

/** The Dockerfile's CMD and HEALTHCHECK of its last (runtime) stage, and what it EXPOSEs. */
function dockerfile() {
  const text = read('Dockerfile').replace(/\\\n\s*/g, ' ');
  const runtime = text.slice(text.lastIndexOf('\nFROM '));
  const json = (directive: string) => JSON.parse(new RegExp(`^${directive}.*?(\\[.*\\])\\s*$`, 'm').exec(runtime)![1]!);
  return {
    cmd: json('CMD') as string[],
    healthcheck: json('HEALTHCHECK') as string[],
    expose: /^EXPOSE (\d+)/m.exec(runtime)![1],
    stages: [...text.matchAll(/^FROM \S+ AS (\S+)/gm)].map((m) => m[1]),
  };
}

describe('deployment descriptions', () => {
  let stack: IsolatedStack;
  let api: TestApi;
  beforeAll(async () => {
    stack = await startIsolatedStack('deploy-manifests');
    api = await startTestApi(stack);
  });
  afterAll(async () => {
    await api?.stop();
    await stack?.teardown();
  });

  /** A path the API serves (its status may be 503 when a dependency is down, never 404). */
  const served = async (path: string) => (await fetch(`${api.url}${path}`)).status;

  it('the Dockerfile runs the API by default, health-checks /readyz on PORT and exposes it', async () => {
    const image = dockerfile();
    expect(processOf(image.cmd)).toBe('api');
    expect(image.healthcheck.join(' ')).toContain("process.env.PORT||3000)+'/readyz'");
    expect(image.expose).toBe(String(apiEnvSchema.in.shape.PORT.parse(undefined)));
    expect(await served('/readyz')).toBe(200);
    expect(image.stages).toEqual(['build', 'demo', 'runtime']);
  });

  it('docker-compose.yml: commands, variables, ports and the demo profile fit the image and the schemas', () => {
    const compose = parse(read('docker-compose.yml'), { merge: true }) as {
      services: Record<string, Record<string, unknown>>;
    };
    const ours = Object.entries(compose.services).filter(([, s]) => String(s.image).startsWith('leadsync:'));
    expect(ours.map(([name]) => name).sort()).toEqual(['api', 'migrate', 'worker', 'zoho-sim']);
    for (const [name, service] of ours) {
      const process = processOf(service.command as string[]);
      expectKnown(Object.keys((service.environment as object) ?? {}), process, `compose ${name}`);
      const target = (service.build as { target: string }).target;
      expect(dockerfile().stages).toContain(target);
      // the simulator is tooling: only in the demo stage and profile, never in the product image
      expect(process === 'simulator').toBe(target === 'demo');
      if (process === 'simulator') expect(service.profiles).toEqual(['demo']);
    }
    const apiService = compose.services.api as { ports: string[]; environment: { PORT: string } };
    const worker = compose.services.worker!;
    const port = apiService.environment.PORT;
    expect(apiService.ports).toEqual([`127.0.0.1:${port}:${port}`]);
    // scalable: nothing a second worker would collide on
    expect(worker.ports).toBeUndefined();
    expect(worker.container_name).toBeUndefined();
    // BullMQ's requirements of its Redis
    const redis = compose.services.redis!.command as string[];
    expect(redis.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(redis.join(' ')).toContain('--appendonly yes');
  });

  it('the Kubernetes manifests: commands, variables, port and probes fit the image, the schemas and the API', async () => {
    const dir = join(REPO_ROOT, 'deploy/kubernetes');
    const docs = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
      .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS()));
    const kinds = docs.map((d) => `${d.kind}/${d.metadata.name}`).sort();
    expect(kinds).toEqual([
      'ConfigMap/leadsync',
      'Deployment/leadsync-api',
      'Deployment/leadsync-worker',
      'Job/leadsync-migrate',
      'Secret/leadsync',
      'Service/leadsync-api',
    ]);
    const configured = docs
      .filter((d) => d.kind === 'ConfigMap' || d.kind === 'Secret')
      .flatMap((d) => Object.keys(d.data ?? d.stringData));
    expect(configured.filter((k) => !KNOWN.has(k))).toEqual([]);

    const containers = docs
      .filter((d) => d.kind === 'Deployment' || d.kind === 'Job')
      .map((d) => ({ name: d.metadata.name as string, ...d.spec.template.spec.containers[0] }));
    const byProcess = Object.fromEntries(containers.map((c) => [processOf(c.command), c]));
    expect(Object.keys(byProcess).sort()).toEqual(['api', 'migrate', 'worker']);
    for (const [process, c] of Object.entries(byProcess)) {
      expect(c.image).toBe('leadsync');
      const names = (c.env ?? []).map((e: { name: string }) => e.name);
      expectKnown(names, process as keyof typeof SCHEMAS, `kubernetes ${c.name}`);
    }
    const apiContainer = byProcess.api;
    const port = apiContainer.env.find((e: { name: string }) => e.name === 'PORT').value;
    expect(apiContainer.ports).toEqual([{ name: 'http', containerPort: Number(port) }]);
    expect(apiContainer.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(apiContainer.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(await served('/readyz')).toBe(200);
    expect(await served('/healthz')).toBe(200);
    const service = docs.find((d) => d.kind === 'Service');
    expect(service.spec.ports[0].targetPort).toBe('http');
    const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'));
    expect(kustomization.images[0].name).toBe('leadsync');
    expect([...kustomization.resources].sort()).toEqual(
      readdirSync(dir)
        .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
        .sort(),
    );
  });

  it('.env.example lists every variable the README configures, and only variables a schema reads', () => {
    const example = read('.env.example');
    const listed = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!);
    expect(listed.filter((n) => !KNOWN.has(n))).toEqual([]);
    expect(new Set(listed).size).toBe(listed.length);

    const readme = read('README.md');
    const section = readme.slice(
      readme.indexOf('\n## Configuration'),
      readme.indexOf('\n## ', readme.indexOf('\n## Configuration') + 1),
    );
    const named = [...new Set([...section.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!))].filter(
      (n) => KNOWN.has(n) || n.includes('_'),
    );
    expect(named.length).toBeGreaterThan(40);
    // the alias is mentioned beside SUPABASE_URL; the retired SYNC_MAX_ATTEMPTS is only ignored
    const notListed = ['NEXT_PUBLIC_SUPABASE_URL', 'SYNC_MAX_ATTEMPTS'];
    expect(named.filter((n) => !listed.includes(n) && !notListed.includes(n))).toEqual([]);
    // the required secrets are blank: a copied .env.example never runs with a published secret
    for (const secret of ['CRON_SECRET', 'TOKEN_ENCRYPTION_KEY'])
      expect(example).toMatch(new RegExp(`^${secret}=$`, 'm'));
    expect(keys(sharedEnvSchema)).toContain('CRON_SECRET');
  });
});
