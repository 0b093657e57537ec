/**
 * Authentication of the admin API, in one place: browser sessions of users holding an admin (or
 * read-only admin) role, CSRF-checked, and bearer tokens — scope `admin` for everything, `read`
 * for GET only, `scim` for nothing (SPEC §6).
 */
import type { Request, RequestHandler } from 'express';
import { adminApiRule, bearerAuth } from '../auth/bearer.js';
import type { AppDeps } from '../http/app.js';
import { currentContext } from '../shared/request-context.js';
import { sessionAuth, sessionOrBearer } from '../auth/web-principal.js';

/** Browser sessions of admin-role users (the admin page, CSRF-checked) first, then bearer tokens. */
export function adminAuth(deps: Pick<AppDeps, 'db' | 'sessions' | 'config'>): RequestHandler {
  return sessionOrBearer(sessionAuth(deps), bearerAuth(deps.db, adminApiRule, 'admin'));
}

/** The audit actor of an authenticated admin request (SPEC §4: `admin:<token name>`). */
export function adminActor(req: Request): string {
  if (req.token) return `admin:${req.token.name}`;
  if (req.webPrincipal) return req.webPrincipal.actor;
  return currentContext()?.actor ?? 'admin:unknown';
}
