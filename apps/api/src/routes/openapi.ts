import { Router } from 'express';
import { loadOnce } from './load-once.js';

export const OPENAPI_PATH = '/api/openapi.json';

/**
 * GET /api/openapi.json: public, like the API it describes; built once, on first request. The
 * builder (zod-to-openapi and every schema's description) is imported then too, so start-up
 * does not pay for a document most processes never serve.
 */
export function openApiRoutes(): Router {
  const router = Router();
  const built = loadOnce(() =>
    import('../openapi/document.js').then(({ buildOpenApiDocument }) => JSON.stringify(buildOpenApiDocument())),
  );
  router.get(OPENAPI_PATH, async (_req, res) => {
    const body = await built();
    res.set('Cache-Control', 'public, max-age=300').type('application/json').send(body);
  });
  return router;
}
