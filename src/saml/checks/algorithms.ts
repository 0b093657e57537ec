/**
 * Algorithm allow-list on every signature (issue 5 check 3): RSA-SHA256/512 and SHA-256/512
 * digests only. SHA-1 collisions are practical and HMAC lets a public key serve as a shared secret
 * (key confusion); *WithComments canonicalisation reopens comment injection.
 */
import { refuse } from './refusal.js';
import type { AlgorithmUse } from './xml-scan.js';

const ALLOWED: Readonly<Record<string, ReadonlySet<string>>> = {
  SignatureMethod: new Set(['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512']),
  DigestMethod: new Set(['http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmlenc#sha512']),
  CanonicalizationMethod: new Set(['http://www.w3.org/2001/10/xml-exc-c14n#', 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315']),
  Transform: new Set([
    'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
    'http://www.w3.org/2001/10/xml-exc-c14n#',
    'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  ]),
  HMACOutputLength: new Set(),
};

export function checkAlgorithms(uses: readonly AlgorithmUse[]): void {
  for (const { element, algorithm } of uses) {
    if (!ALLOWED[element]?.has(algorithm)) refuse('ALGORITHM_NOT_ALLOWED', `${element} ${algorithm || '(none)'}`);
  }
}

type Js = Record<string, unknown>;
const list = (v: unknown): Js[] => (Array.isArray(v) ? (v as Js[]) : []);
const algorithmOf = (node: Js): string => String((node['$'] as Js | undefined)?.['Algorithm'] ?? '');

/**
 * The same allow-list on the signature inside the verified assertion (node-saml's xml2js view):
 * for an encrypted assertion this is the only place its signature can be seen.
 */
export function assertionAlgorithms(assertion: Js): AlgorithmUse[] {
  const uses: AlgorithmUse[] = [];
  for (const sig of list(assertion['Signature'])) {
    for (const info of list(sig['SignedInfo'])) {
      for (const m of list(info['SignatureMethod'])) uses.push({ element: 'SignatureMethod', algorithm: algorithmOf(m) });
      for (const m of list(info['CanonicalizationMethod'])) uses.push({ element: 'CanonicalizationMethod', algorithm: algorithmOf(m) });
      for (const ref of list(info['Reference'])) {
        for (const d of list(ref['DigestMethod'])) uses.push({ element: 'DigestMethod', algorithm: algorithmOf(d) });
        for (const ts of list(ref['Transforms'])) for (const t of list(ts['Transform'])) uses.push({ element: 'Transform', algorithm: algorithmOf(t) });
      }
    }
  }
  return uses;
}
