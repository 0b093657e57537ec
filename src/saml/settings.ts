/**
 * The SP and IdP settings in force (SPEC §5, §6 config keys): from config, from an IdP metadata
 * XML file (entityID, SSO URL, every signing certificate), or from the demo IdP when none is set.
 */
import { readFileSync } from 'node:fs';
import { DOMParser } from '@xmldom/xmldom';
import type { Config } from '../config/schema.js';

export interface SamlSettings {
  readonly spEntityId: string;
  readonly acsUrl: string;
  readonly idpEntityId: string;
  readonly ssoUrl: string;
  /** PEM certificates; any of them may sign (rollover). */
  readonly certs: readonly string[];
  readonly skewMs: number;
  /** SP key and certificate for encrypted assertions (saml.sp.decryptionKey/decryptionCert). */
  readonly decryption?: { readonly key: string; readonly cert: string | undefined };
}

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

export function spEndpoints(config: Readonly<Config>): { spEntityId: string; acsUrl: string; publicUrl: string } {
  const publicUrl = config.publicUrl.replace(/\/+$/, '');
  return { publicUrl, spEntityId: config.saml.sp.entityId ?? `${publicUrl}/saml/metadata`, acsUrl: `${publicUrl}/saml/acs` };
}

/** True when an IdP is configured (then the demo IdP never runs). */
export function idpConfigured(config: Readonly<Config>): boolean {
  const idp = config.saml.idp;
  return Boolean(idp.metadataFile || idp.entityId || idp.ssoUrl || idp.certs.length > 0);
}

/** A PEM string, a bare base64 body, or a path to a PEM file. */
export function toPem(value: string): string {
  const v = value.trim();
  if (v.includes('-----BEGIN')) return v;
  if (/^[A-Za-z0-9+/=\s]{100,}$/.test(v)) return `-----BEGIN CERTIFICATE-----\n${v.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n').trim()}\n-----END CERTIFICATE-----`;
  return readFileSync(v, 'utf8').trim();
}

export interface IdpMetadata {
  readonly entityId: string;
  readonly ssoUrl: string | undefined;
  readonly certs: string[];
}

/** Reads entityID, the SSO URL (Redirect binding preferred) and every signing certificate. */
export function parseIdpMetadata(xml: string): IdpMetadata {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new Error('IdP metadata must not contain a DOCTYPE');
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const entity = doc.getElementsByTagNameNS(MD, 'EntityDescriptor')[0];
  const idp = doc.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0];
  if (!entity || !idp) throw new Error('IdP metadata has no EntityDescriptor/IDPSSODescriptor');
  const entityId = entity.getAttribute('entityID') ?? '';
  if (!entityId) throw new Error('IdP metadata has no entityID');
  const sso = Array.from(idp.getElementsByTagNameNS(MD, 'SingleSignOnService'));
  const pick = sso.find((s) => s.getAttribute('Binding')?.endsWith('HTTP-Redirect')) ?? sso[0];
  const certs: string[] = [];
  for (const kd of Array.from(idp.getElementsByTagNameNS(MD, 'KeyDescriptor'))) {
    const use = kd.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const c of Array.from(kd.getElementsByTagNameNS(DS, 'X509Certificate'))) certs.push(toPem(c.textContent ?? ''));
  }
  if (certs.length === 0) throw new Error('IdP metadata has no signing certificate');
  return { entityId, ssoUrl: pick?.getAttribute('Location') ?? undefined, certs };
}

/** Settings for a configured IdP (config keys win over the metadata file). */
export function configuredSettings(config: Readonly<Config>): SamlSettings {
  const { spEntityId, acsUrl } = spEndpoints(config);
  const idp = config.saml.idp;
  const meta = idp.metadataFile ? parseIdpMetadata(readFileSync(idp.metadataFile, 'utf8')) : undefined;
  const entityId = idp.entityId ?? meta?.entityId;
  const ssoUrl = idp.ssoUrl ?? meta?.ssoUrl;
  const certs = idp.certs.length > 0 ? idp.certs.map(toPem) : (meta?.certs ?? []);
  if (!entityId) throw new Error('saml.idp.entityId: required (or saml.idp.metadataFile)');
  if (!ssoUrl) throw new Error('saml.idp.ssoUrl: required (or saml.idp.metadataFile)');
  if (certs.length === 0) throw new Error('saml.idp.certs: at least one signing certificate is required (or saml.idp.metadataFile)');
  return { spEntityId, acsUrl, idpEntityId: entityId, ssoUrl, certs, skewMs: config.saml.clockSkewMs, ...spDecryption(config) };
}

/** The optional SP decryption key (PEM or path) and certificate. */
export function spDecryption(config: Readonly<Config>): Pick<SamlSettings, 'decryption'> {
  const { decryptionKey, decryptionCert } = config.saml.sp;
  if (!decryptionKey) return {};
  const read = (v: string): string => (v.includes('-----BEGIN') ? v : readFileSync(v, 'utf8'));
  return { decryption: { key: read(decryptionKey), cert: decryptionCert ? toPem(decryptionCert) : undefined } };
}
