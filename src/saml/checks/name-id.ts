/** Issue 5 check 11: a non-empty, plain-text NameID in the signed assertion. */
import { refuse } from './refusal.js';
import { children, text, type Js } from './xml2js.js';

export function signedNameId(assertion: Js): string {
  const ids = children(children(assertion, 'Subject')[0], 'NameID');
  if (ids.length !== 1) refuse('NAME_ID_MISSING', 'assertion has no single NameID');
  const value = text(ids[0])?.trim();
  if (!value) refuse('NAME_ID_MISSING', 'NameID is empty or not plain text');
  if (value.length > 256) refuse('NAME_ID_MISSING', 'NameID longer than 256 characters');
  return value;
}
