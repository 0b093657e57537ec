/**
 * A refused SAML response (SPEC §5): the reason is a stable category that is logged, counted in
 * metrics and shown on the error page; the detail goes to the log only.
 */
export type RefusalReason =
  | 'BODY_TOO_LARGE'
  | 'BAD_FORM'
  | 'BAD_BASE64'
  | 'NOT_XML'
  | 'XML_DOCTYPE'
  | 'XML_COMMENT'
  | 'XML_PROCESSING_INSTRUCTION'
  | 'XML_TOO_DEEP'
  | 'XML_SHAPE'
  | 'ALGORITHM_NOT_ALLOWED'
  | 'SIGNATURE_INVALID'
  | 'RESPONSE_SIGNATURE_INVALID'
  | 'STATUS_NOT_SUCCESS'
  | 'DESTINATION_MISMATCH'
  | 'ISSUER_MISMATCH'
  | 'AUDIENCE_MISMATCH'
  | 'RECIPIENT_MISMATCH'
  | 'SUBJECT_CONFIRMATION'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'IN_RESPONSE_TO'
  | 'NAME_ID_MISSING'
  | 'REPLAY'
  | 'ASSERTION_INVALID'
  | 'RATE_LIMITED';

/** What the user is told, per reason: generic, never the detail. */
const STATUS: Partial<Record<RefusalReason, number>> = { BODY_TOO_LARGE: 413, RATE_LIMITED: 429 };
const CLIENT_ERRORS = new Set<RefusalReason>(['BAD_FORM', 'BAD_BASE64', 'NOT_XML']);

export class SamlRefusal extends Error {
  override readonly name = 'SamlRefusal';
  readonly status: number;
  constructor(
    readonly reason: RefusalReason,
    /** For the log only (never shown, never a SAML document). */
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.status = STATUS[reason] ?? (CLIENT_ERRORS.has(reason) ? 400 : 403);
  }
}

export function refuse(reason: RefusalReason, detail: string): never {
  throw new SamlRefusal(reason, detail);
}
