/** Maps node-saml's validation errors (plain Error messages) to refusal reasons (issue 5 check 4). */
import { SamlRefusal, type RefusalReason } from './refusal.js';

const RULES: readonly [RegExp, RefusalReason][] = [
  [/Invalid document signature/i, 'RESPONSE_SIGNATURE_INVALID'],
  [/multiple assertions|too many signatures|too many transforms|ID cannot refer|Referenced node/i, 'SIGNATURE_INVALID'],
  [/signature/i, 'SIGNATURE_INVALID'],
  [/audience|AudienceRestriction/i, 'AUDIENCE_MISMATCH'],
  [/not yet valid/i, 'NOT_YET_VALID'],
  [/expired|too old/i, 'EXPIRED'],
  [/InResponseTo/i, 'IN_RESPONSE_TO'],
  [/subject confirmation/i, 'SUBJECT_CONFIRMATION'],
  [/status|provider returned/i, 'STATUS_NOT_SUCCESS'],
  [/issuer/i, 'ISSUER_MISMATCH'],
];

export function refusalFromLibrary(err: unknown): SamlRefusal {
  if (err instanceof SamlRefusal) return err;
  const message = err instanceof Error ? err.message : String(err);
  for (const [pattern, reason] of RULES) if (pattern.test(message)) return new SamlRefusal(reason, `node-saml: ${message.slice(0, 200)}`);
  return new SamlRefusal('ASSERTION_INVALID', `node-saml: ${message.slice(0, 200)}`);
}
