/**
 * Bearer-token authentication for the admin API and SCIM: 401 when the token is missing or
 * unknown, 403 when its scope does not allow the call. Failures are AppErrors, so each surface
 * renders them in its own error format.
 */
import type { RequestHandler } from 'express';
import type { Db } from '../db/client.js';
import { AppError } from '../shared/errors.js';
import { currentContext } from '../shared/request-context.js';
import { findToken, type Scope, type TokenInfo } from './tokens.js';

declare module 'express-serve-static-core' {
  interface Request {
    token?: TokenInfo;
  }
}

/** lastUsedAt is a hint for administrators; writing it once a minute is precise enough. */
const LAST_USED_RESOLUTION_MS = 60_000;
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Which scopes may make this call: `admin` everything, `read` only reads; SCIM only `scim`. */
export type ScopeRule = (scope: Scope, method: string) => boolean;

export const adminApiRule: ScopeRule = (scope, method) => scope === 'admin' || (scope === 'read' && READ_METHODS.has(method));
export const scimRule: ScopeRule = (scope) => scope === 'scim';

export function bearerAuth(db: Db, allowed: ScopeRule, actorPrefix: string): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match) {
      res.set('WWW-Authenticate', 'Bearer');
      return next(new AppError('UNAUTHENTICATED', header ? 'Authorization header is not "Bearer <token>"' : 'missing bearer token'));
    }
    const token = await findToken(db, match[1]!);
    if (!token) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      return next(new AppError('UNAUTHENTICATED', 'invalid or revoked token'));
    }
    if (!allowed(token.scope, req.method)) {
      return next(new AppError('FORBIDDEN', `a token with scope ${token.scope} may not call ${req.method} ${req.baseUrl}${req.path}`));
    }
    req.token = token;
    const ctx = currentContext();
    if (ctx) ctx.actor = `${actorPrefix}:${token.name}`;
    const now = new Date();
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      void db.prisma.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } }).catch(() => {});
    }
    next();
  };
}
