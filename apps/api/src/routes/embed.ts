import type { Logger } from '@leadsync/config';
import { type EmbedBundle, type EmbedFile, loadEmbed, readDemo } from '@leadsync/web';
import { type RequestHandler, type Response, Router } from 'express';

export const EMBED_PATHS = ['/embed.js', '/embed.mjs', '/demo', '/demo.js'] as const;

/** Short: a fixed embed reaches visitors within minutes, and the ETag makes revalidation cheap. */
const CACHE_CONTROL = 'public, max-age=300';

/**
 * The script any site may load (it is public), so it is served to every origin: CORS `*` for
 * module loads, and Cross-Origin-Resource-Policy relaxed from helmet's same-origin, which would
 * stop a classic <script> on another site. The intake POSTs it makes still follow CORS_ORIGINS.
 */
function sendScript(res: Response, file: EmbedFile): void {
  res.set({
    'Content-Type': 'text/javascript; charset=utf-8',
    'Cache-Control': CACHE_CONTROL,
    ETag: file.etag,
    'Access-Control-Allow-Origin': '*',
    'Cross-Origin-Resource-Policy': 'cross-origin',
  });
  res.send(file.code); // answers 304 itself when If-None-Match matches the ETag
}

/**
 * GET /embed.js (classic script, window.leadsync), /embed.mjs (ES module), and the demo page
 * /demo with its script /demo.js. The bundles are loaded once, at start-up: the files `npm run
 * build` wrote when the API runs compiled, built in memory from packages/web's sources otherwise.
 */
export function embedRoutes(options: { logger: Logger }): Router {
  const router = Router();
  let bundle: Promise<EmbedBundle> | undefined;
  const built = () => {
    bundle ??= loadEmbed().catch((err) => {
      bundle = undefined; // try again on the next request rather than serving a failure forever
      throw err;
    });
    return bundle;
  };
  built().catch((err) => options.logger.error({ err }, 'building /embed.js failed'));

  const script =
    (pick: (b: EmbedBundle) => EmbedFile): RequestHandler =>
    async (_req, res) => {
      sendScript(res, pick(await built()));
    };
  router.get(
    '/embed.js',
    script((b) => b.classic),
  );
  router.get(
    '/embed.mjs',
    script((b) => b.module),
  );

  // Read once: the demo is a fixed page. Its script is a file of its own because helmet's CSP
  // (script-src 'self') refuses inline scripts, and the page needs nothing looser.
  const demo = readDemo();
  router.get('/demo', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('html').send(demo.html);
  });
  router.get('/demo.js', (_req, res) => {
    res.set({ 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }).send(demo.script);
  });
  return router;
}
