/**
 * The /scim/v2 surface: bearer auth (scope `scim`, 401/403 in SCIM form), a content-type check
 * and a size-capped JSON parser of its own, then thin routes that translate Express to the
 * framework-free handlers and back. Every error, ours or Express's, leaves as a SCIM error.
 */
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { bearerAuth, scimRule } from '../auth/bearer.js';
import type { AppDeps, Feature } from '../http/app.js';
import type { ScimDeps } from './context.js';
import { resourceTypesResponse, schemasResponse, serviceProviderConfig } from './discovery.js';
import { ScimError, toScimError } from './errors.js';
import { createGroup, deleteGroup, getGroup, listGroups, patchGroup, replaceGroup } from './groups.js';
import type { ScimRequest, ScimResponse } from './http-types.js';
import { createMembersJobs } from './members-job.js';
import { createUser, deleteUser, getUser, listUsers, patchUser, replaceUser } from './users.js';

const SCIM_TYPES = ['application/scim+json', 'application/json'];
const CONTENT_TYPE = 'application/scim+json; charset=utf-8';

type Handler = (deps: ScimDeps, req: ScimRequest, id: string) => Promise<ScimResponse> | ScimResponse;

function send(res: Response, r: ScimResponse): void {
  res.status(r.status);
  for (const [k, v] of Object.entries(r.headers ?? {})) res.set(k, v);
  if (r.body === undefined) {
    res.end();
    return;
  }
  res.set('Content-Type', CONTENT_TYPE).send(JSON.stringify(r.body));
}

/** Writes need a body (400 when empty) of application/scim+json or application/json (else 415). */
const requireScimJson: RequestHandler = (req, _res, next) => {
  if (!['POST', 'PUT', 'PATCH'].includes(req.method)) return next();
  const length = req.get('content-length');
  if ((length === undefined && req.get('transfer-encoding') === undefined) || length === '0') {
    return next(new ScimError(400, 'invalidSyntax', 'request body is empty'));
  }
  if (req.is(SCIM_TYPES) === false) {
    return next(new ScimError(415, undefined, 'Content-Type must be application/scim+json or application/json'));
  }
  next();
};

export function scimRouter(app: AppDeps, scim: ScimDeps): express.Router {
  const router = express.Router({ caseSensitive: false });
  const base = `${app.config.publicUrl.replace(/\/+$/, '')}/scim/v2`;
  const toRequest = (req: Request): ScimRequest => ({
    actor: `scim:${req.token?.name ?? 'unknown'}`,
    base,
    query: req.query as Record<string, unknown>,
    body: req.body as unknown,
  });
  const route =
    (fn: Handler): RequestHandler =>
    async (req, res) =>
      send(res, await fn(scim, toRequest(req), String(req.params['id'] ?? '')));

  router.use(bearerAuth(app.db, scimRule, 'scim'));
  router.use(requireScimJson);
  router.use(express.json({ type: SCIM_TYPES, limit: app.config.scim.maxBodyBytes, strict: true }));

  router.get('/ServiceProviderConfig', route(() => serviceProviderConfig(base, scim.maxResults)));
  router.get('/Schemas', route(() => schemasResponse(base)));
  router.get('/Schemas/:id', route((_d, _r, id) => schemasResponse(base, id)));
  router.get('/ResourceTypes', route(() => resourceTypesResponse(base)));
  router.get('/ResourceTypes/:id', route((_d, _r, id) => resourceTypesResponse(base, id)));

  router.post('/Users', route(createUser));
  router.get('/Users', route(listUsers));
  router.get('/Users/:id', route(getUser));
  router.put('/Users/:id', route(replaceUser));
  router.patch('/Users/:id', route(patchUser));
  router.delete('/Users/:id', route(deleteUser));

  router.post('/Groups', route(createGroup));
  router.get('/Groups', route(listGroups));
  router.get('/Groups/:id', route(getGroup));
  router.put('/Groups/:id', route(replaceGroup));
  router.patch('/Groups/:id', route(patchGroup));
  router.delete('/Groups/:id', route(deleteGroup));

  router.use((req, _res, next) => next(new ScimError(404, undefined, `no SCIM endpoint ${req.method} ${req.path}`)));
  router.use(scimErrors(app));
  return router;
}

function scimErrors({ logger }: AppDeps): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const { status, body } = toScimError(err);
    const log = status >= 500 ? logger.error.bind(logger) : logger.info.bind(logger);
    log('SCIM request failed', {
      status,
      scimType: body.scimType,
      method: req.method,
      path: req.path,
      error: status >= 500 ? { message: (err as Error).message, stack: (err as Error).stack } : (err as Error).message,
    });
    send(res, { status, body });
  };
}

/** Mounts /scim/v2 and resumes the `scim.members` jobs a previous process left unfinished. */
export const scimFeature: Feature = (app, deps) => {
  const jobs = createMembersJobs({ db: deps.db, allocation: deps.allocation, logger: deps.logger });
  const scim: ScimDeps = {
    db: deps.db,
    allocation: deps.allocation,
    logger: deps.logger,
    jobs,
    maxResults: deps.config.scim.maxResults,
    inlineMax: deps.config.scim.inlineMembers,
  };
  app.use('/scim/v2', scimRouter(deps, scim));
  void jobs.resume().catch((e: unknown) => deps.logger.warn('could not resume scim.members jobs', { error: (e as Error).message }));
};
