/**
 * The admin REST API feature (SPEC §6): /api/v1 behind adminAuth, the OpenAPI document at
 * /api/v1/openapi.json and its readable page at /api/docs (both public: they hold no data).
 */
import express, { type Express } from 'express';
import type { AppDeps, Feature } from '../http/app.js';
import { adminAuth } from './auth.js';
import { DOCS_CSP, DOCS_CSS, renderDocsPage } from './docs-page.js';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi.js';
import { mountRoute, type RouteDef } from './route.js';
import { auditRoutes } from './routes/audit.js';
import { jobRoutes } from './routes/jobs.js';
import { licenseRoutes } from './routes/licenses.js';
import { mappingRoutes } from './routes/mappings.js';
import { settingsRoutes } from './routes/settings.js';
import { tokenRoutes } from './routes/tokens.js';
import { userRoutes } from './routes/users.js';

export const adminRoutes: readonly RouteDef[] = [...licenseRoutes, ...settingsRoutes, ...mappingRoutes, ...userRoutes, ...auditRoutes, ...tokenRoutes, ...jobRoutes];

/** Mapping imports are the largest bodies: 10,000 mappings fit. */
const BODY_LIMIT = '5mb';
const API_VERSION = '1.0.0';

export const adminApi: Feature = (app: Express, deps: AppDeps) => {
  let doc: OpenApiDocument | undefined;
  const document = (): OpenApiDocument => (doc ??= buildOpenApiDocument(adminRoutes, API_VERSION));
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(document());
  });
  app.get('/api/docs', (_req, res) => {
    res.set('Content-Security-Policy', DOCS_CSP).type('html').send(renderDocsPage(document(), '/api/docs/docs.css'));
  });
  app.get('/api/docs/docs.css', (_req, res) => {
    res.type('css').set('Cache-Control', 'public, max-age=3600').send(DOCS_CSS);
  });

  const router = express.Router();
  router.use(adminAuth(deps));
  router.use(express.json({ limit: BODY_LIMIT, strict: false }));
  for (const def of adminRoutes) mountRoute(router, def, deps);
  app.use('/api/v1', router);
};
