/**
 * The browser-session principal of the admin API and the admin page: a request without an
 * Authorization header is authenticated by its session cookie instead of a bearer token. Access
 * comes from the user's current roles (admin roles of the policy → everything, configured
 * read-only roles → reads); state-changing calls must echo the session's CSRF token in
 * X-CSRF-Token, because the browser sends the cookie on its own.
 */
import type { RequestHandler } from 'express';
import type { AppDeps } from '../http/app.js';
import { loadSettings } from '../allocation/settings.js';
import { webAccess, type WebAccess } from '../sessions/access.js';
import { csrfMatches, type SessionView } from '../sessions/service.js';
import { AppError } from '../shared/errors.js';
import { currentContext } from '../shared/request-context.js';

export interface WebPrincipal {
  readonly kind: 'session';
  readonly session: SessionView;
  readonly access: Exclude<WebAccess, null>;
  /** `admin:<nameId>`, the audit actor of changes made through the page (SPEC §4). */
  readonly actor: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    webPrincipal?: WebPrincipal;
  }
}

export type WebPrincipalDeps = Pick<AppDeps, 'db' | 'sessions' | 'config'>;

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a session may do now: null when it has no admin or read-only role, or the user is inactive. */
export async function sessionAccess(deps: WebPrincipalDeps, session: SessionView): Promise<WebAccess> {
  if (!session.active) return null;
  const { policy } = await loadSettings(deps.db.prisma);
  return webAccess(session.roles, policy.adminRoles, deps.config.admin.readOnlyRoles);
}

/**
 * Authenticates by session when the request carries no Authorization header: sets
 * `req.webPrincipal` and the request's actor, or fails with 403 (no admin role, read-only
 * session writing, CSRF token missing or wrong). Without a session, or with an Authorization
 * header, it only calls next(), so the bearer middleware that follows decides (see
 * `sessionOrBearer`).
 */
export function sessionAuth(deps: WebPrincipalDeps): RequestHandler {
  return async (req, _res, next) => {
    if (req.get('authorization') !== undefined) return next();
    const session = await deps.sessions.load(req);
    if (!session) return next();
    const access = await sessionAccess(deps, session);
    if (!access) return next(new AppError('FORBIDDEN', `${session.nameId} holds no admin or read-only admin role`));
    const writes = !READ_METHODS.has(req.method);
    if (writes && !csrfMatches(session, req.get('x-csrf-token'))) {
      return next(new AppError('FORBIDDEN', 'missing or invalid X-CSRF-Token header', { reason: 'CSRF' }));
    }
    if (writes && access !== 'admin') {
      return next(new AppError('FORBIDDEN', `${session.nameId} has read-only access and may not call ${req.method} ${req.baseUrl}${req.path}`));
    }
    const actor = `admin:${session.nameId}`;
    req.webPrincipal = { kind: 'session', session, access, actor };
    const ctx = currentContext();
    if (ctx) ctx.actor = actor;
    next();
  };
}

/**
 * Session first, then bearer: the admin API accepts either. A request authenticated by its
 * session skips the bearer check; any other goes to `bearer` (which answers 401 when there is no
 * token at all).
 */
export function sessionOrBearer(session: RequestHandler, bearer: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const then = (err?: unknown): void => {
      if (err !== undefined && err !== 'route') return next(err);
      if (req.webPrincipal) return next();
      Promise.resolve(bearer(req, res, next)).catch(next);
    };
    Promise.resolve(session(req, res, then)).catch(next);
  };
}
