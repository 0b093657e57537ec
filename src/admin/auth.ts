/**
 * Authentication of the admin API, in one place so that other principals (browser sessions of
 * users holding an admin role) can be added here without touching the routes. Today: bearer
 * tokens, scope `admin` for everything, `read` for GET only, `scim` for nothing (SPEC §6).
 */
import type { Request, RequestHandler } from 'express';
import { adminApiRule, bearerAuth } from '../auth/bearer.js';
import type { AppDeps } from '../http/app.js';
import { currentContext } from '../shared/request-context.js';

export function adminAuth(deps: Pick<AppDeps, 'db'>): RequestHandler {
  return bearerAuth(deps.db, adminApiRule, 'admin');
}

/** The audit actor of an authenticated admin request (SPEC §4: `admin:<token name>`). */
export function adminActor(req: Request): string {
  if (req.token) return `admin:${req.token.name}`;
  return currentContext()?.actor ?? 'admin:unknown';
}
