// V8's compile cache for the compiled entry points (API, worker, CLI, migrations). Each entry
// imports only this module, enables the cache, then imports the rest: ES modules are all compiled
// before any of them runs, so the cache must be on before the first `import` of the app.
//   node packages/config/dist/compile-cache.js <module>...   fill the cache (the Dockerfile does)
import nodeModule from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Beside the installed app (`/app/.cache/node-compile-cache` in the image) unless NODE_COMPILE_CACHE says. */
export const DEFAULT_COMPILE_CACHE_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../.cache/node-compile-cache',
);

interface CompileCacheApi {
  enableCompileCache?: (directory?: string) => { status: number; message?: string; directory?: string };
  flushCompileCache?: () => void;
}
const api = nodeModule as unknown as CompileCacheApi;

/**
 * Turns the cache on for a compiled entry point (Node 22.1+; Node 20 has none and starts as
 * before). The directory is NODE_COMPILE_CACHE's (Node then enabled it itself, before this
 * ran) or DEFAULT_COMPILE_CACHE_DIR; NODE_DISABLE_COMPILE_CACHE=1 turns it off. An entry run
 * from TypeScript (tsx) is left alone: its modules reach V8 through tsx, not from their files.
 * A directory that cannot be created or written costs only the cache: Node starts without it.
 */
export function enableCompileCache(entryUrl: string): void {
  if (!api.enableCompileCache || !entryUrl.endsWith('.js') || process.env.NODE_DISABLE_COMPILE_CACHE) return;
  api.enableCompileCache(process.env.NODE_COMPILE_CACHE || DEFAULT_COMPILE_CACHE_DIR);
}

/**
 * Compiles the given modules and everything they import into the cache, without running an
 * entry point: each module named must only define things (the apps' main.js, migrate-main.js).
 */
async function fill(modules: string[]): Promise<void> {
  const status = api.enableCompileCache?.(process.env.NODE_COMPILE_CACHE || DEFAULT_COMPILE_CACHE_DIR);
  if (!status) {
    console.error(`compile cache: Node ${process.version} has none; nothing to do`);
    return;
  }
  for (const module of modules) await import(pathToFileURL(resolve(module)).href);
  api.flushCompileCache?.();
  console.error(`compile cache: ${modules.length} entry points compiled into ${status.directory ?? '(unknown)'}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await fill(process.argv.slice(2));
  process.exit(0);
}
