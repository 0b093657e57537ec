/**
 * Response-level checks on the scanned envelope, before the library runs (issue 5 checks 6, 7, 8):
 * exactly one assertion, Status Success, Destination (when present) equal to the ACS URL, and any
 * Response Issuer equal to the IdP entityID. The envelope is unsigned unless the IdP signs the
 * Response, so these are consistency checks; identity always comes from the signed assertion.
 */
import { refuse } from './refusal.js';
import type { ScannedResponse } from './xml-scan.js';

export interface Expected {
  readonly acsUrl: string;
  readonly idpEntityId: string;
}

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

export function checkStatus(r: ScannedResponse): void {
  if (r.statusCode !== SUCCESS) refuse('STATUS_NOT_SUCCESS', `status ${r.statusCode ?? '(missing)'}`);
}

export function checkDestination(r: ScannedResponse, e: Expected): void {
  if (r.destination !== undefined && r.destination !== e.acsUrl) refuse('DESTINATION_MISMATCH', 'Destination is not this ACS URL');
}

export function checkResponseIssuer(r: ScannedResponse, e: Expected): void {
  if (r.issuers.length > 1) refuse('XML_SHAPE', 'more than one Response Issuer');
  const issuer = r.issuers[0];
  if (issuer !== undefined && issuer.trim() !== e.idpEntityId) refuse('ISSUER_MISMATCH', 'Response Issuer is not the IdP entityID');
}

export function checkSingleAssertion(r: ScannedResponse): void {
  if (r.assertions !== 1) refuse('XML_SHAPE', `expected one assertion, found ${r.assertions}`);
}
