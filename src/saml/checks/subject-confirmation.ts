/**
 * Issue 5 checks 9 and 10 on the signed assertion. node-saml picks the first time-valid
 * SubjectConfirmation and does not look at its Method or Recipient, and skips InResponseTo for
 * IdP-initiated responses; a bearer assertion is only safe at the endpoint it was issued for.
 */
import { refuse } from './refusal.js';
import { attr, children, type Js } from './xml2js.js';

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

export interface ConfirmationExpect {
  readonly acsUrl: string;
  /** InResponseTo of the Response envelope (undefined for IdP-initiated). */
  readonly inResponseTo: string | undefined;
  readonly now: Date;
  readonly skewMs: number;
}

/** Returns the latest NotOnOrAfter of the accepted confirmation (the replay-cache horizon). */
export function checkSubjectConfirmation(assertion: Js, e: ConfirmationExpect): Date {
  const confirmations = children(children(assertion, 'Subject')[0], 'SubjectConfirmation');
  if (confirmations.length === 0) refuse('SUBJECT_CONFIRMATION', 'no SubjectConfirmation');
  for (const c of confirmations) {
    if (attr(c, 'Method') !== BEARER) refuse('SUBJECT_CONFIRMATION', `method ${attr(c, 'Method') ?? '(none)'} (only bearer is accepted)`);
  }
  const now = e.now.getTime();
  let lastRefusal: [Parameters<typeof refuse>[0], string] = ['SUBJECT_CONFIRMATION', 'no usable bearer confirmation'];
  for (const c of confirmations) {
    const data = children(c, 'SubjectConfirmationData');
    if (data.length !== 1) continue;
    const d = data[0];
    if (attr(d, 'Recipient') !== e.acsUrl) {
      lastRefusal = ['RECIPIENT_MISMATCH', 'Recipient is not this ACS URL'];
      continue;
    }
    const notOnOrAfter = Date.parse(attr(d, 'NotOnOrAfter') ?? '');
    if (!Number.isFinite(notOnOrAfter)) {
      lastRefusal = ['SUBJECT_CONFIRMATION', 'bearer confirmation without NotOnOrAfter'];
      continue;
    }
    if (now >= notOnOrAfter + e.skewMs) {
      lastRefusal = ['EXPIRED', 'SubjectConfirmationData NotOnOrAfter has passed'];
      continue;
    }
    const notBefore = attr(d, 'NotBefore');
    if (notBefore !== undefined && now + e.skewMs < Date.parse(notBefore)) {
      lastRefusal = ['NOT_YET_VALID', 'SubjectConfirmationData NotBefore is in the future'];
      continue;
    }
    if (attr(d, 'InResponseTo') !== e.inResponseTo) {
      lastRefusal = ['IN_RESPONSE_TO', 'SubjectConfirmationData InResponseTo differs from the Response InResponseTo'];
      continue;
    }
    return new Date(notOnOrAfter);
  }
  return refuse(...lastRefusal);
}
