import type { Express } from 'express';

export interface MountedRoute {
  /** Upper-case method, or 'USE' for a sub-app mounted under a path (Bull Board). */
  method: string;
  path: string;
}

interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/**
 * Every route the app serves, read from Express's router stack (each route module is one Router
 * layer of the app): so a test built on it covers a surface added tomorrow without being told.
 */
export function listRoutes(app: Express): MountedRoute[] {
  const routes: MountedRoute[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = `${prefix}${String(layer.route.path)}`;
        for (const method of Object.keys(layer.route.methods)) {
          if (method !== '_all') routes.push({ method: method.toUpperCase(), path });
        }
      } else if (typeof layer.rawPath === 'string' && layer.rawPath !== '/') {
        routes.push({ method: 'USE', path: `${prefix}${layer.rawPath}` });
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return routes.filter((r, i) => routes.findIndex((o) => o.method === r.method && o.path === r.path) === i);
}
