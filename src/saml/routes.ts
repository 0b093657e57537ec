/**
 * SAML routes (SPEC §5): GET /saml/login (SP-initiated), POST /saml/acs (SP- and IdP-initiated),
 * GET /saml/metadata, POST /saml/logout. Handlers only translate: the ACS pipeline and the JIT
 * flow do the work; refusals become the plain error page, logged and counted.
 */
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { generateServiceProviderMetadata } from '@node-saml/node-saml';
import type { AppDeps } from '../http/app.js';
import { acceptResponse, type AcsContext } from './acs.js';
import { SamlRefusal } from './checks/refusal.js';
import { sendDenied, sendRefused } from './error-page.js';
import { provisionLogin } from './jit.js';
import { safeRelayState } from './relay-state.js';
import { STRATEGY } from './strategy.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { isRetryable } from '../db/transaction.js';
import type { PreparedSession } from '../sessions/service.js';

export class SamlNotConfigured extends Error {
  override readonly name = 'SamlNotConfigured';
  constructor() {
    super('SAML single sign-on is not configured');
  }
}

export function samlRouter(deps: AppDeps, ready: Promise<AcsContext>): Router {
  const { config, logger, metrics } = deps;
  const router = express.Router();

  const refused = (res: Response, err: SamlRefusal): void => {
    metrics.samlRefusals.inc({ reason: err.reason });
    metrics.logins.inc({ outcome: 'refused' });
    logger.warn('SAML response refused', { reason: err.reason, detail: err.detail, status: err.status });
    sendRefused(res, err.status, err.reason);
  };

  router.get('/saml/login', async (req, res, next) => {
    const ctx = await ready;
    const relay = req.query['RelayState'];
    if (relay !== undefined && !safeRelayState(relay)) {
      logger.info('SAML login refused: unsafe RelayState');
      return sendRefused(res, 400, 'BAD_RELAY_STATE');
    }
    (ctx.passport.authenticate(STRATEGY, { session: false }) as express.RequestHandler)(req, res, next);
  });

  router.get('/saml/metadata', async (_req, res) => {
    const { settings } = await ready;
    const xml = generateServiceProviderMetadata({
      issuer: settings.spEntityId,
      callbackUrl: settings.acsUrl,
      wantAssertionsSigned: true,
      identifierFormat: null,
      ...(settings.decryption?.cert ? { decryptionCert: settings.decryption.cert, decryptionPvk: settings.decryption.key } : {}),
    });
    res.type('application/samlmetadata+xml').send(xml);
  });

  const limiter = rateLimit({
    windowMs: config.saml.rateLimit.windowMs,
    limit: config.saml.rateLimit.max,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res) => refused(res, new SamlRefusal('RATE_LIMITED', 'ACS rate limit per client address')),
  });
  const body = express.raw({ type: () => true, limit: config.saml.maxBodyBytes });
  const bodyErrors: ErrorRequestHandler = (err: { type?: string }, _req, res, next) => {
    if (err.type === 'entity.too.large') return refused(res, new SamlRefusal('BODY_TOO_LARGE', `body above saml.maxBodyBytes (${config.saml.maxBodyBytes})`));
    if (typeof err.type === 'string' && err.type.startsWith('encoding.') || err.type === 'request.aborted' || err.type === 'charset.unsupported') {
      return refused(res, new SamlRefusal('BAD_FORM', `unreadable body (${err.type})`));
    }
    next(err);
  };

  router.post('/saml/acs', limiter, body, bodyErrors, async (req: Request, res: Response) => {
    const ctx = await ready;
    let accepted, outcome;
    // The assertion-id record and the session row commit with the login, in its transaction.
    let session: PreparedSession | undefined;
    try {
      accepted = await acceptResponse(ctx, req, res);
      outcome = await provisionLogin(deps, accepted.identity, { assertion: accepted.assertion, session: (userId) => (session = deps.sessions.prepare(userId)).insert });
    } catch (e) {
      if (e instanceof SamlRefusal) return refused(res, e);
      throw e;
    }
    const { identity } = accepted;
    if (outcome.kind === 'denied') {
      metrics.logins.inc({ outcome: outcome.reason });
      logger.info('SAML login denied', { actor: `saml:${identity.nameId}`, reason: outcome.reason });
      return sendDenied(res, outcome.reason);
    }
    const reason = outcome.decision.decision.reason;
    metrics.logins.inc({ outcome: reason });
    logger.info('SAML login', { actor: `saml:${identity.nameId}`, reason, groups: identity.groups.length });
    session!.setCookie(res);
    res.redirect(303, safeRelayState(accepted.relayState) ?? '/');
  });

  router.post('/saml/logout', async (req, res) => {
    await deps.sessions.end(req, res);
    res.redirect(303, '/');
  });

  // Anything else (database unavailable, a bug) still ends in a plain page, never a stack trace.
  const unexpected: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    if (err instanceof SamlNotConfigured) return sendRefused(res, 503, 'UNAVAILABLE');
    logger.error('SAML request failed', { error: { message: (err as Error).message, stack: (err as Error).stack } });
    sendRefused(res, isDatabaseUnavailable(err) || isRetryable(err) ? 503 : 500, 'UNAVAILABLE');
  };
  router.use('/saml', unexpected);
  return router;
}
