/**
 * What a signed-in user sees (SPEC §8): `/` — who you are, your roles, your licenses and the
 * explanation of the last decision (a sold-out bundle says which license and that a seat will be
 * granted when one frees); `/me` — the same facts as JSON for automated checks.
 */
import express, { type Router } from 'express';
import type { AppDeps } from '../http/app.js';
import { formatTrace } from '../domain/index.js';
import type { ReasonCode, Trace } from '../domain/index.js';
import { escapeHtml, page } from './html.js';

interface MeView {
  readonly nameId: string;
  readonly roles: readonly string[];
  readonly licenses: readonly { key: string; origin: string }[];
  readonly reason: string | null;
  readonly missing: readonly string[];
  readonly trace: unknown;
  readonly name: string;
  readonly email: string | null;
}

async function loadMe(deps: AppDeps, userId: string): Promise<MeView> {
  const user = await deps.db.prisma.user.findUniqueOrThrow({
    where: { id: userId },
    include: { allocations: { select: { licenseKey: true, origin: true }, orderBy: { licenseKey: 'asc' } } },
  });
  const trace = user.lastTrace as unknown as Trace | null;
  return {
    nameId: user.nameId,
    roles: user.roles,
    licenses: user.allocations.map((a) => ({ key: a.licenseKey, origin: a.origin })),
    reason: user.lastReason,
    missing: trace?.outcome?.missing ?? [],
    trace,
    name: [user.firstName, user.lastName].filter(Boolean).join(' ') || user.nameId,
    email: user.email,
  };
}

export function landingRouter(deps: AppDeps): Router {
  const router = express.Router();

  router.get('/me', async (req, res) => {
    const session = await deps.sessions.load(req);
    if (!session) return res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'no valid session; sign in at /saml/login' } });
    const me = await loadMe(deps, session.userId);
    res.json({ nameId: me.nameId, roles: me.roles, licenses: me.licenses, reason: me.reason, missing: me.missing });
  });

  router.get('/', async (req, res) => {
    const session = await deps.sessions.load(req);
    if (!session) {
      const demo = deps.config.demo.enabled && deps.config.env !== 'production' ? ' or try the <a href="/demo/idp">demo identity provider</a>' : '';
      return res.type('html').send(page('allot', `<h1>allot</h1><p>You are not signed in. <a href="/saml/login">Sign in with single sign-on</a>${demo}.</p>`));
    }
    const me = await loadMe(deps, session.userId);
    const licenses = me.licenses.length ? me.licenses.map((l) => `<li><code>${escapeHtml(l.key)}</code>${l.origin === 'manual' ? ' (assigned by an administrator)' : ''}</li>`).join('') : '<li>none</li>';
    const waiting =
      me.reason === 'BUNDLE_UNAVAILABLE'
        ? `<p><strong>Sold out:</strong> ${me.missing.map((k) => `<code>${escapeHtml(k)}</code>`).join(', ')} has no free seat. You are on the waiting list; a seat will be granted automatically when one frees.</p>`
        : '';
    const explanation = me.trace && me.reason ? `<h2>Why</h2><pre>${escapeHtml(formatTrace({ reason: me.reason as ReasonCode, trace: me.trace as Trace }))}</pre>` : '';
    res.type('html').send(
      page(
        'Your licenses',
        `<h1>Hello ${escapeHtml(me.name)}</h1><p>Signed in as <code>${escapeHtml(me.nameId)}</code>${me.email ? ` (${escapeHtml(me.email)})` : ''}.</p>` +
          `<h2>Roles</h2><p>${me.roles.length ? me.roles.map((r) => `<code>${escapeHtml(r)}</code>`).join(', ') : 'none'}</p>` +
          `<h2>Licenses</h2><ul>${licenses}</ul>${waiting}${explanation}` +
          `<form method="post" action="/saml/logout"><button>Sign out</button></form>`,
      ),
    );
  });
  return router;
}
