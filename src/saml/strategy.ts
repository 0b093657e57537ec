/**
 * The Passport layer (thin, STYLE rule 5): two @node-saml/passport-saml strategies over the same
 * settings, one requiring a valid Response signature. node-saml ignores an invalid Response
 * signature unless told to require one (issue 5 check 5), so a Response that carries a signature
 * goes to the strategy that requires it to verify.
 */
import passport from 'passport';
import { Strategy, ValidateInResponseTo, type Profile, type SamlConfig } from '@node-saml/passport-saml';
import type { CacheProvider } from '@node-saml/node-saml';
import type { SamlSettings } from './settings.js';

export const STRATEGY = 'saml';
export const STRATEGY_SIGNED_RESPONSE = 'saml-signed-response';

/** How long an AuthnRequest id stays valid for its response. */
export const REQUEST_TTL_MS = 10 * 60_000;

export function samlOptions(s: SamlSettings, cacheProvider: CacheProvider, wantAuthnResponseSigned: boolean): SamlConfig {
  return {
    callbackUrl: s.acsUrl,
    issuer: s.spEntityId,
    audience: s.spEntityId,
    entryPoint: s.ssoUrl,
    idpCert: [...s.certs],
    idpIssuer: s.idpEntityId,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned,
    acceptedClockSkewMs: s.skewMs,
    validateInResponseTo: ValidateInResponseTo.ifPresent,
    requestIdExpirationPeriodMs: REQUEST_TTL_MS,
    cacheProvider,
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    ...(s.decryption ? { decryptionPvk: s.decryption.key } : {}),
  };
}

export function createPassport(s: SamlSettings, cacheProvider: CacheProvider): passport.PassportStatic {
  const instance = new passport.Passport() as passport.PassportStatic;
  const verify = (profile: Profile | null, done: (err: Error | null, user?: Record<string, unknown>) => void): void => {
    if (!profile) return done(new Error('no profile in the SAML response'));
    done(null, profile as unknown as Record<string, unknown>);
  };
  for (const [name, signed] of [[STRATEGY, false], [STRATEGY_SIGNED_RESPONSE, true]] as const) {
    // passport-saml bundles Express 4 types; the strategy object is what passport expects at runtime.
    const strategy = new Strategy({ ...samlOptions(s, cacheProvider, signed), name }, verify, verify);
    instance.use(name, strategy as unknown as passport.Strategy);
  }
  return instance;
}
