/**
 * The ACS pipeline (issue 5 checks 1–13, in this order): form and base64, one streaming scan of
 * the XML (shape, algorithms, envelope facts), envelope checks, node-saml validation through
 * Passport, then the checks on the signed assertion the library leaves out, and last the one-time
 * InResponseTo record. The assertion-id replay record (check 12) is written in the login's own
 * transaction (jit.ts), in the statement that upserts the user. Every failure is a SamlRefusal.
 */
import type { Request, Response } from 'express';
import type { PassportStatic } from 'passport';
import type { Profile } from '@node-saml/node-saml';
import { parseAcsForm } from './checks/body.js';
import { scanResponse } from './checks/xml-scan.js';
import { decryptXml } from './decrypt.js';
import { assertionAlgorithms, checkAlgorithms } from './checks/algorithms.js';
import { checkDestination, checkResponseIssuer, checkSingleAssertion, checkStatus } from './checks/response-envelope.js';
import { refusalFromLibrary } from './checks/library-error.js';
import { checkAssertionIssuer } from './checks/assertion-issuer.js';
import { signedNameId } from './checks/name-id.js';
import { checkSubjectConfirmation } from './checks/subject-confirmation.js';
import { refuse } from './checks/refusal.js';
import { attr, children, type Js } from './checks/xml2js.js';
import { toIdentity, type Identity } from './profile.js';
import type { SamlCache } from './replay-cache.js';
import type { SamlSettings } from './settings.js';
import { STRATEGY, STRATEGY_SIGNED_RESPONSE } from './strategy.js';

export interface AcsContext {
  readonly settings: SamlSettings;
  readonly passport: PassportStatic;
  readonly cache: SamlCache;
  readonly groupAttribute: string;
  readonly now: () => Date;
}

export interface AcceptedResponse {
  readonly identity: Identity;
  readonly relayState: string | undefined;
  /** For the replay cache, recorded in the login's transaction (jit.ts): check 12 is not done here. */
  readonly assertion: { readonly id: string; readonly expiresAt: Date };
}

export async function acceptResponse(ctx: AcsContext, req: Request, res: Response): Promise<AcceptedResponse> {
  const { settings } = ctx;
  const form = parseAcsForm(req.body);
  const scan = scanResponse(form.xml);
  checkSingleAssertion(scan);
  checkAlgorithms(scan.algorithms);
  checkStatus(scan);
  checkDestination(scan, settings);
  checkResponseIssuer(scan, settings);
  if (scan.encryptedAssertion !== undefined) await checkDecryptedAssertion(scan.encryptedAssertion, settings);

  req.body = { SAMLResponse: form.samlResponse };
  const profile = await validateWithLibrary(ctx.passport, scan.responseSigned ? STRATEGY_SIGNED_RESPONSE : STRATEGY, req, res);
  const assertion = (profile.getAssertion?.() as Js | undefined)?.['Assertion'] as Js | undefined;
  if (!assertion) refuse('ASSERTION_INVALID', 'no signed assertion in the validated profile');

  checkAlgorithms(assertionAlgorithms(assertion));
  checkAssertionIssuer(assertion, settings.idpEntityId);
  const nameId = signedNameId(assertion);
  const now = ctx.now();
  const confirmedUntil = checkSubjectConfirmation(assertion, { acsUrl: settings.acsUrl, inResponseTo: scan.inResponseTo, now, skewMs: settings.skewMs });
  const assertionId = attr(assertion, 'ID');
  if (!assertionId) refuse('ASSERTION_INVALID', 'assertion without ID');

  if (scan.inResponseTo !== undefined && !(await ctx.cache.consumeRequest(scan.inResponseTo))) {
    refuse('IN_RESPONSE_TO', 'InResponseTo is not an outstanding request of this service (unknown, expired or used)');
  }
  const conditionsUntil = Date.parse(attr(children(assertion, 'Conditions')[0], 'NotOnOrAfter') ?? '');
  const horizon = Math.max(confirmedUntil.getTime(), Number.isFinite(conditionsUntil) ? conditionsUntil : 0) + settings.skewMs;

  return { identity: toIdentity(profile, nameId, ctx.groupAttribute), relayState: form.relayState, assertion: { id: assertionId, expiresAt: new Date(horizon) } };
}

/**
 * The signature inside an encrypted assertion is only visible after decryption; node-saml hands
 * back the signed content without it. Decrypting once more (with node-saml's own function) lets
 * the shape and algorithm rules run on the plaintext; the cost is paid by encrypted responses only.
 */
async function checkDecryptedAssertion(encrypted: string, settings: SamlSettings): Promise<void> {
  if (!settings.decryption) refuse('ASSERTION_INVALID', 'encrypted assertion but no saml.sp.decryptionKey');
  let plain: string;
  try {
    plain = await decryptXml(encrypted, settings.decryption.key);
  } catch (e) {
    refuse('ASSERTION_INVALID', `cannot decrypt the assertion: ${(e as Error).message.slice(0, 120)}`);
  }
  checkAlgorithms(scanResponse(plain, 'Assertion').algorithms);
}

function validateWithLibrary(pp: PassportStatic, strategy: string, req: Request, res: Response): Promise<Profile> {
  return new Promise((resolve, reject) => {
    const done = (err: unknown, user?: unknown): void => {
      if (err) reject(refusalFromLibrary(err));
      else if (user) resolve(user as Profile);
      else reject(refusalFromLibrary(new Error('no profile')));
    };
    const middleware = pp.authenticate(strategy, { session: false }, done) as (req: Request, res: Response, next: (e?: unknown) => void) => void;
    middleware(req, res, (e) => reject(refusalFromLibrary(e)));
  });
}
