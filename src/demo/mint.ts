/**
 * Mints SAML Responses with samlify, an IdP library independent of node-saml (the one allot
 * validates with): the demo IdP and the tests sign through it, so a bug shared by the signer and
 * the verifier cannot hide.
 */
import { randomUUID } from 'node:crypto';
import * as samlify from 'samlify';

export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

export interface IdpKeys {
  readonly privateKey: string;
  readonly cert: string;
}

export interface MintTarget {
  readonly idpEntityId: string;
  readonly ssoUrl: string;
  readonly spEntityId: string;
  readonly acsUrl: string;
}

export interface Claims {
  readonly nameId: string;
  readonly groups?: readonly string[];
  readonly firstName?: string;
  readonly lastName?: string;
  readonly email?: string;
  readonly userId?: string;
  /** Extra attributes, name → values (the group overage claim, other group URIs). */
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export interface MintOptions {
  readonly inResponseTo?: string;
  readonly now?: Date;
  /** Validity of the assertion from `now` (default 5 minutes). */
  readonly validForMs?: number;
  readonly signatureAlgorithm?: string;
  /** Sign the Response as well as the Assertion (default true). */
  readonly signResponse?: boolean;
  readonly signAssertion?: boolean;
  /** Template overrides (hostile variants). */
  readonly destination?: string | null;
  readonly recipient?: string;
  readonly audience?: string;
  readonly issuer?: string;
  readonly assertionIssuer?: string;
  readonly statusCode?: string;
  readonly confirmationMethod?: string;
  readonly subjectInResponseTo?: string;
  readonly groupAttribute?: string;
  /** Encrypt the (signed) assertion for this SP certificate (PEM). */
  readonly encryptFor?: string;
}

export interface Minted {
  readonly xml: string;
  readonly base64: string;
  readonly assertionId: string;
  readonly responseId: string;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function attribute(name: string, values: readonly string[]): string {
  const v = values.map((x) => `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${esc(x)}</saml:AttributeValue>`);
  return `<saml:Attribute Name="${esc(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified">${v.join('')}</saml:Attribute>`;
}

export function responseXml(t: MintTarget, claims: Claims, o: MintOptions, ids: { responseId: string; assertionId: string }): string {
  const now = o.now ?? new Date();
  const iso = (ms: number): string => new Date(now.getTime() + ms).toISOString();
  const until = iso(o.validForMs ?? 5 * 60_000);
  const irt = o.inResponseTo ? ` InResponseTo="${esc(o.inResponseTo)}"` : '';
  const subjectIrt = o.subjectInResponseTo ?? o.inResponseTo;
  const scdIrt = subjectIrt ? ` InResponseTo="${esc(subjectIrt)}"` : '';
  const destination = o.destination === null ? '' : ` Destination="${esc(o.destination ?? t.acsUrl)}"`;
  const attrs: string[] = [];
  if (claims.userId !== undefined) attrs.push(attribute('UserID', [claims.userId]));
  if (claims.firstName !== undefined) attrs.push(attribute('FirstName', [claims.firstName]));
  if (claims.lastName !== undefined) attrs.push(attribute('LastName', [claims.lastName]));
  if (claims.email !== undefined) attrs.push(attribute('EmailAddress', [claims.email]));
  if (claims.groups && claims.groups.length > 0) attrs.push(attribute(o.groupAttribute ?? 'SecurityGroups', claims.groups));
  for (const [name, values] of Object.entries(claims.extra ?? {})) attrs.push(attribute(name, values));
  const statement = attrs.length > 0 ? `<saml:AttributeStatement>${attrs.join('')}</saml:AttributeStatement>` : '';
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${ids.responseId}" Version="2.0" IssueInstant="${iso(0)}"${destination}${irt}>` +
    `<saml:Issuer>${esc(o.issuer ?? t.idpEntityId)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${esc(o.statusCode ?? 'urn:oasis:names:tc:SAML:2.0:status:Success')}"/></samlp:Status>` +
    `<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="${ids.assertionId}" Version="2.0" IssueInstant="${iso(0)}">` +
    `<saml:Issuer>${esc(o.assertionIssuer ?? o.issuer ?? t.idpEntityId)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${esc(claims.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="${esc(o.confirmationMethod ?? 'urn:oasis:names:tc:SAML:2.0:cm:bearer')}">` +
    `<saml:SubjectConfirmationData NotOnOrAfter="${until}" Recipient="${esc(o.recipient ?? t.acsUrl)}"${scdIrt}/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(0)}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience ?? t.spEntityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(0)}" SessionIndex="${ids.assertionId}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    statement +
    `</saml:Assertion></samlp:Response>`
  );
}

/** A samlify IdP and SP pair for one signing setup. */
function entities(t: MintTarget, keys: IdpKeys, o: MintOptions) {
  const idp = samlify.IdentityProvider({
    entityID: t.idpEntityId,
    privateKey: keys.privateKey,
    signingCert: keys.cert,
    requestSignatureAlgorithm: o.signatureAlgorithm ?? RSA_SHA256,
    singleSignOnService: [
      { Binding: REDIRECT, Location: t.ssoUrl },
      { Binding: POST, Location: t.ssoUrl },
    ],
    singleLogoutService: [{ Binding: REDIRECT, Location: t.ssoUrl }],
    wantAuthnRequestsSigned: false,
    ...(o.encryptFor ? { isAssertionEncrypted: true, dataEncryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm' } : {}),
  });
  const sp = samlify.ServiceProvider({
    entityID: t.spEntityId,
    assertionConsumerService: [{ Binding: POST, Location: t.acsUrl }],
    wantAssertionsSigned: o.signAssertion ?? true,
    wantMessageSigned: o.signResponse ?? true,
    ...(o.encryptFor ? { encryptCert: o.encryptFor } : {}),
  });
  return { idp, sp };
}

/** A signed Response as samlify produces it (assertion signed; response signed unless told not to). */
export async function mintResponse(t: MintTarget, keys: IdpKeys, claims: Claims, o: MintOptions = {}): Promise<Minted> {
  const ids = { responseId: `_${randomUUID()}`, assertionId: `_${randomUUID()}` };
  const xml = responseXml(t, claims, o, ids);
  if (o.signAssertion === false && o.signResponse === false) {
    return { xml, base64: Buffer.from(xml).toString('base64'), ...ids };
  }
  const { idp, sp } = entities(t, keys, o);
  const out = await idp.createLoginResponse(sp, { extract: {} } as Parameters<typeof idp.createLoginResponse>[1], 'post', { email: claims.nameId }, {
    customTagReplacement: () => ({ id: ids.responseId, context: xml }),
    // Sign the Response after encrypting the assertion, as IdPs that sign both do.
    encryptThenSign: Boolean(o.encryptFor),
  });
  const base64 = out.context;
  return { xml: Buffer.from(base64, 'base64').toString('utf8'), base64, ...ids };
}
