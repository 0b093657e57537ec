/**
 * Edits of a signed SAML Response the way attackers make them (names follow node-saml's attack
 * fixtures). Each takes the signed XML and returns the hostile XML.
 */
const SIG = /<ds:Signature\b[\s\S]*?<\/ds:Signature>/g;

export function stripSignatures(xml: string): string {
  return xml.replace(SIG, '');
}

/** The signed <saml:Assertion> element, verbatim. */
export function assertionOf(xml: string): string {
  const m = /<saml:Assertion\b[\s\S]*<\/saml:Assertion>/.exec(xml);
  if (!m) throw new Error('no assertion');
  return m[0];
}

export function replaceAssertion(xml: string, replacement: string): string {
  return xml.replace(assertionOf(xml), replacement);
}

/** Drops the Response-level signature (the one right after the Response Issuer), keeping the assertion's. */
export function stripResponseSignature(xml: string): string {
  const start = xml.indexOf('<ds:Signature');
  const assertion = xml.indexOf('<saml:Assertion');
  if (start < 0 || start > assertion) return xml;
  const end = xml.indexOf('</ds:Signature>', start) + '</ds:Signature>'.length;
  return xml.slice(0, start) + xml.slice(end);
}

/** An attacker's copy of the assertion: new NameID, signature removed, optionally a new ID. */
export function evilAssertion(signedAssertion: string, nameId: string, id?: string): string {
  let evil = stripSignatures(signedAssertion).replace(/(<saml:NameID[^>]*>)[^<]*(<\/saml:NameID>)/, `$1${nameId}$2`);
  if (id) evil = evil.replace(/ID="[^"]+"/, `ID="${id}"`);
  return evil;
}

/** A fresh, unsigned Response envelope around `inner` (the re-wrap of a captured assertion). */
export function envelope(inner: string, o: { acsUrl: string; issuer: string; inResponseTo?: string; id?: string; extensions?: string }): string {
  const irt = o.inResponseTo ? ` InResponseTo="${o.inResponseTo}"` : '';
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${o.id ?? '_rewrap' + Date.now()}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${o.acsUrl}"${irt}>` +
    `<saml:Issuer>${o.issuer}</saml:Issuer>` +
    (o.extensions ? `<samlp:Extensions>${o.extensions}</samlp:Extensions>` : '') +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    inner +
    `</samlp:Response>`
  );
}
