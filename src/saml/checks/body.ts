/**
 * The ACS form body (issue 5 check 1): capped in size before anything parses it (the router's raw
 * body parser enforces saml.maxBodyBytes), exactly one non-empty SAMLResponse field, strictly
 * base64 (IdPs may wrap lines), decoding to UTF-8.
 */
import { refuse } from './refusal.js';

export interface AcsForm {
  readonly samlResponse: string;
  readonly xml: string;
  readonly relayState: string | undefined;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseAcsForm(body: unknown): AcsForm {
  if (!Buffer.isBuffer(body) || body.length === 0) refuse('BAD_FORM', 'expected an application/x-www-form-urlencoded body');
  const form = new URLSearchParams(body.toString('latin1'));
  const values = form.getAll('SAMLResponse');
  if (values.length !== 1) refuse('BAD_FORM', `expected exactly one SAMLResponse field, got ${values.length}`);
  const relay = form.getAll('RelayState');
  if (relay.length > 1) refuse('BAD_FORM', 'more than one RelayState field');
  const compact = values[0]!.replace(/[\r\n]/g, '');
  if (compact.length === 0) refuse('BAD_FORM', 'empty SAMLResponse');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) refuse('BAD_BASE64', 'SAMLResponse is not strict base64');
  let xml: string;
  try {
    xml = utf8.decode(Buffer.from(compact, 'base64'));
  } catch {
    refuse('NOT_XML', 'SAMLResponse does not decode to UTF-8');
  }
  if (!/^(\uFEFF)?\s*</.test(xml)) refuse('NOT_XML', 'SAMLResponse does not decode to XML');
  return { samlResponse: compact, xml, relayState: relay[0] };
}
