import { Router } from 'express';
import { buildOpenApiDocument, OPENAPI_PATH } from '../openapi/document.js';

/** GET /api/openapi.json: public, like the API it describes; built once, on first request. */
export function openApiRoutes(): Router {
  const router = Router();
  let document: string | undefined;
  router.get(OPENAPI_PATH, (_req, res) => {
    document ??= JSON.stringify(buildOpenApiDocument());
    res.set('Cache-Control', 'public, max-age=300').type('application/json').send(document);
  });
  return router;
}
