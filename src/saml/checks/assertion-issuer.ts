/** Issue 5 check 8: the signed Assertion's Issuer must be the configured IdP entityID. */
import { refuse } from './refusal.js';
import { children, text, type Js } from './xml2js.js';

export function checkAssertionIssuer(assertion: Js, idpEntityId: string): void {
  const issuers = children(assertion, 'Issuer');
  if (issuers.length !== 1 || text(issuers[0])?.trim() !== idpEntityId) refuse('ISSUER_MISMATCH', 'Assertion Issuer is not the IdP entityID');
}
