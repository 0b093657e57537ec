/**
 * The admin web page (SPEC §6) at /admin: one static HTML page and its scripts, talking to the
 * admin API with the browser session (src/auth/web-principal.ts). The page itself needs a
 * session whose user holds an admin or read-only admin role: no session → SAML login, no such
 * role → a plain 403 page.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type RequestHandler } from 'express';
import type { AppDeps } from '../../http/app.js';
import { sessionAccess, sessionAuth } from '../../auth/web-principal.js';
import { AppError } from '../../shared/errors.js';
import { forbiddenPage } from './forbidden-page.js';

/**
 * The same folder whether this module runs from src/ (tsx) or dist/ (compiled): the page is plain
 * ES-module JavaScript, served as written, so there is no build output to locate.
 */
export const STATIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/admin/web/static');

/** No inline script or style anywhere; the page is never framed (clickjacking). */
export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const LOGIN_URL = '/saml/login?RelayState=%2Fadmin';

const strictHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', ADMIN_CSP);
  res.setHeader('X-Frame-Options', 'DENY');
  next();
};

export function adminWebFeature(app: Express, deps: AppDeps): void {
  if (!existsSync(path.join(STATIC_DIR, 'index.html'))) {
    // A deployment that left the files out (see the Dockerfile): say so once, keep the rest serving.
    deps.logger.error('admin page files are missing; /admin will answer 404', { dir: STATIC_DIR });
  }
  const router = express.Router({ strict: false });
  router.use(strictHeaders);
  router.use('/assets', express.static(STATIC_DIR, { index: false, redirect: false, cacheControl: true, maxAge: 0 }));

  router.get('/', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const session = await deps.sessions.load(req);
    if (!session) return res.redirect(302, LOGIN_URL);
    if (!(await sessionAccess(deps, session))) return res.status(403).type('html').send(forbiddenPage(session.nameId));
    res.sendFile(path.join(STATIC_DIR, 'index.html'));
  });

  // Who is signed in, with which access, and the CSRF token the page sends back on writes.
  router.get('/session', sessionAuth(deps), (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const p = req.webPrincipal;
    if (!p) throw new AppError('UNAUTHENTICATED', 'no admin session: sign in at /admin');
    res.json({ nameId: p.session.nameId, access: p.access, csrfToken: p.session.csrfToken, expiresAt: p.session.expiresAt.toISOString() });
  });

  router.post('/logout', sessionAuth(deps), async (req, res) => {
    if (!req.webPrincipal) throw new AppError('UNAUTHENTICATED', 'no admin session');
    await deps.sessions.end(req, res);
    res.status(204).end();
  });

  app.use('/admin', router);
}
