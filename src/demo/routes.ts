/**
 * The demo IdP at /demo/idp (SPEC §8): pick a demo user (groups editable), and a real samlify IdP
 * signs the Response with the key generated on first run. SP-initiated logins arrive with the
 * AuthnRequest (HTTP-Redirect), which samlify parses and schema-validates; the Response answers
 * its id. The browser posts the Response to the ACS like with any IdP.
 */
import express, { type Router } from 'express';
import * as samlify from 'samlify';
import * as xmllint from '@authenio/samlify-node-xmllint';
import { z } from 'zod';
import type { AppDeps } from '../http/app.js';
import { escapeHtml, page } from '../saml/html.js';
import { spEndpoints } from '../saml/settings.js';
import { DEMO_USERS } from './data.js';
import { mintResponse, RSA_SHA256, type MintTarget } from './mint.js';
import type { KeyAndCert } from './self-signed.js';

samlify.setSchemaValidator(xmllint);

const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

const loginForm = z.object({
  user: z.string().min(1).max(256),
  groups: z.string().max(4000).default(''),
  SAMLRequest: z.string().max(20_000).optional(),
  RelayState: z.string().max(512).optional(),
  SigAlg: z.string().max(200).optional(),
  Signature: z.string().max(2000).optional(),
});

export function demoRouter(deps: AppDeps, target: MintTarget, keys: Promise<KeyAndCert>): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  /** The AuthnRequest id (samlify parses and schema-validates the request node-saml sent). */
  async function requestId(query: Record<string, string>): Promise<string | undefined> {
    if (!query['SAMLRequest']) return undefined;
    const k = await keys;
    const idp = samlify.IdentityProvider({
      entityID: target.idpEntityId,
      signingCert: k.cert,
      privateKey: k.privateKey,
      singleSignOnService: [{ Binding: REDIRECT, Location: target.ssoUrl }],
      singleLogoutService: [{ Binding: REDIRECT, Location: target.ssoUrl }],
    });
    const sp = samlify.ServiceProvider({ entityID: target.spEntityId, assertionConsumerService: [{ Binding: POST, Location: target.acsUrl }] });
    const octetString = Object.entries(query)
      .filter(([k]) => ['SAMLRequest', 'RelayState', 'SigAlg'].includes(k))
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&');
    const parsed = await idp.parseLoginRequest(sp, 'redirect', { query, octetString });
    return (parsed.extract as { request?: { id?: string } }).request?.id;
  }

  router.get('/demo/idp', (req, res) => {
    const samlRequest = typeof req.query['SAMLRequest'] === 'string' ? req.query['SAMLRequest'] : '';
    const relay = typeof req.query['RelayState'] === 'string' ? req.query['RelayState'] : '';
    const hidden = (samlRequest ? `<input type="hidden" name="SAMLRequest" value="${escapeHtml(samlRequest)}">` : '') + (relay ? `<input type="hidden" name="RelayState" value="${escapeHtml(relay)}">` : '');
    const users = DEMO_USERS.map(
      (u) => `<form method="post" action="/demo/idp/login" style="border:1px solid #ccc;padding:.6rem;margin:.6rem 0">
<strong>${escapeHtml(`${u.firstName} ${u.lastName}`)}</strong> <code>${escapeHtml(u.nameId)}</code><br><small>${escapeHtml(u.shows)}</small><br>
<label>Groups <input name="groups" size="40" value="${escapeHtml(u.groups.join(', '))}"></label>
<input type="hidden" name="user" value="${escapeHtml(u.nameId)}">${hidden}<button>Sign in</button></form>`,
    );
    res.type('html').send(
      page(
        'Demo identity provider',
        `<h1>Demo identity provider</h1><p>A real SAML IdP (samlify) for trying allot without your own IdP. It never runs in production or when an IdP is configured. ${samlRequest ? 'Answering the sign-in request of allot.' : 'IdP-initiated sign-in.'}</p>${users.join('')}`,
      ),
    );
  });

  router.post('/demo/idp/login', form, async (req, res) => {
    const input = loginForm.parse(req.body);
    const user = DEMO_USERS.find((u) => u.nameId === input.user);
    if (!user) return res.status(400).type('html').send(page('Unknown demo user', '<h1>Unknown demo user</h1><p><a href="/demo/idp">Back</a></p>'));
    const query: Record<string, string> = {};
    if (input.SAMLRequest) query['SAMLRequest'] = input.SAMLRequest;
    if (input.RelayState) query['RelayState'] = input.RelayState;
    const inResponseTo = await requestId(query);
    const groups = input.groups.split(',').map((g) => g.trim()).filter(Boolean);
    const minted = await mintResponse(
      target,
      await keys,
      { nameId: user.nameId, firstName: user.firstName, lastName: user.lastName, email: user.nameId, userId: user.nameId.split('@')[0]!, groups },
      { signatureAlgorithm: RSA_SHA256, ...(inResponseTo ? { inResponseTo } : {}) },
    );
    deps.logger.info('demo IdP signed a response', { user: user.nameId, spInitiated: Boolean(inResponseTo) });
    const relay = input.RelayState ? `<input type="hidden" name="RelayState" value="${escapeHtml(input.RelayState)}">` : '';
    res.type('html').send(
      page(
        'Signing in',
        `<form id="saml" method="post" action="${escapeHtml(target.acsUrl)}"><input type="hidden" name="SAMLResponse" value="${minted.base64}">${relay}<p>Signed in at the demo IdP as ${escapeHtml(user.nameId)}.</p><button>Continue to allot</button></form><script src="/demo/idp/autosubmit.js"></script>`,
      ),
    );
  });

  // A file, not an inline script: the app's Content-Security-Policy allows scripts from 'self' only.
  router.get('/demo/idp/autosubmit.js', (_req, res) => {
    res.type('application/javascript').send("document.getElementById('saml').submit();\n");
  });
  return router;
}

export function demoTarget(deps: AppDeps): MintTarget {
  const { spEntityId, acsUrl, publicUrl } = spEndpoints(deps.config);
  return { idpEntityId: `${publicUrl}/demo/idp`, ssoUrl: `${publicUrl}/demo/idp`, spEntityId, acsUrl };
}
