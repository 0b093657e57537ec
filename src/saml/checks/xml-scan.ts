/**
 * One linear pass over the decoded SAMLResponse, before any XML parser sees it (SPEC §5, issue 5
 * check 2). It refuses what a SAML Response never needs and attacks rely on — DOCTYPE/ENTITY
 * (XXE, entity expansion), comments (NameID truncation by comment injection), processing
 * instructions, CDATA, nesting deeper than 64, text or a second element outside the root,
 * characters XML 1.0 does not allow (raw or as character references) — and it
 * collects the Response-level facts the other checks need, so no second DOM parse is made (the
 * library's own parsing dominates the cost of a login).
 *
 * Strict on purpose: anything it does not understand is refused, so what passes is plain
 * well-formed XML on which xmldom (node-saml's parser) cannot see a different tree.
 */
import { refuse } from './refusal.js';

export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

export const MAX_DEPTH = 64;

/** Algorithm URIs found on XML-DSig elements anywhere in the document. */
export interface AlgorithmUse {
  readonly element: string;
  readonly algorithm: string;
}

export interface ScannedResponse {
  readonly responseId: string | undefined;
  readonly destination: string | undefined;
  readonly inResponseTo: string | undefined;
  /** Text of each Issuer child of the Response. */
  readonly issuers: readonly string[];
  /** Value of the top-level StatusCode. */
  readonly statusCode: string | undefined;
  /** The Response carries its own ds:Signature (a direct child). */
  readonly responseSigned: boolean;
  /** Assertion and EncryptedAssertion children of the Response. */
  readonly assertions: number;
  readonly algorithms: readonly AlgorithmUse[];
  /** The EncryptedAssertion element, verbatim, when the assertion is encrypted. */
  readonly encryptedAssertion: string | undefined;
}

interface Frame {
  readonly qname: string;
  readonly ns: string;
  readonly local: string;
  readonly prefixes: Map<string, string> | null;
  /** A ds:Signature element (its DigestMethod etc. are signature algorithms). */
  readonly signature: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*(?::[A-Za-z_][A-Za-z0-9_.-]*)?$/;
const DECL = /^<\?xml\s+version\s*=\s*(["'])1\.[0-9]\1(?:\s+encoding\s*=\s*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>/;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/y;
const DSIG_ALGORITHM_ELEMENTS = new Set(['SignatureMethod', 'DigestMethod', 'Transform', 'CanonicalizationMethod', 'HMACOutputLength']);

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
/** Characters outside XML 1.0's Char production (xmldom would read them; a conforming parser would not). */
// eslint-disable-next-line no-control-regex -- finding control characters is what it is for
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isXmlChar = (cp: number): boolean =>
  cp === 0x09 || cp === 0x0a || cp === 0x0d || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);

function decode(raw: string): string {
  if (!raw.includes('&')) return raw;
  for (let i = raw.indexOf('&'); i >= 0; i = raw.indexOf('&', i + 1)) {
    ENTITY.lastIndex = i;
    if (!ENTITY.test(raw)) refuse('XML_SHAPE', 'undeclared entity reference');
  }
  return raw.replace(/&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    switch (e) {
      case 'amp': return '&';
      case 'lt': return '<';
      case 'gt': return '>';
      case 'quot': return '"';
      case 'apos': return "'";
      default: {
        const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        if (!isXmlChar(cp)) refuse('XML_SHAPE', 'character reference to a character XML does not allow');
        return String.fromCodePoint(cp);
      }
    }
  });
}

function resolve(stack: readonly Frame[], own: Map<string, string> | null, prefix: string): string | undefined {
  const hit = own?.get(prefix);
  if (hit !== undefined) return hit;
  for (let i = stack.length - 1; i >= 0; i--) {
    const ns = stack[i]!.prefixes?.get(prefix);
    if (ns !== undefined) return ns;
  }
  if (prefix === 'xml') return 'http://www.w3.org/XML/1998/namespace';
  return prefix === '' ? '' : undefined;
}

/**
 * Scans a Response (`root` Response) or a decrypted assertion (`root` Assertion, the plaintext of
 * an EncryptedAssertion, which the same rules apply to).
 */
export function scanResponse(xml: string, root: 'Response' | 'Assertion' = 'Response'): ScannedResponse {
  if (NOT_XML_CHAR.test(xml)) refuse('XML_SHAPE', 'character XML does not allow (a control character or a lone surrogate)');
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (xml.startsWith('<?xml', i)) {
    const m = DECL.exec(xml.slice(i, i + 200));
    if (!m) refuse('XML_PROCESSING_INSTRUCTION', 'malformed XML declaration');
    i += m[0].length;
  }
  const n = xml.length;
  const stack: Frame[] = [];
  let rootDone = false;
  let sawRoot = false;
  const out = {
    responseId: undefined as string | undefined,
    destination: undefined as string | undefined,
    inResponseTo: undefined as string | undefined,
    issuers: [] as string[],
    statusCode: undefined as string | undefined,
    responseSigned: false,
    assertions: 0,
    algorithms: [] as AlgorithmUse[],
    encryptedAssertion: undefined as string | undefined,
  };
  let encryptedStart = -1;
  let capture: string[] | null = null;
  // Open ds:Signature elements: only their algorithms are signature algorithms (an RSA-OAEP key
  // transport inside EncryptedAssertion also carries a ds:DigestMethod, which is not).
  let inSignature = 0;

  while (i < n) {
    const lt = xml.indexOf('<', i);
    const end = lt < 0 ? n : lt;
    if (end > i) {
      const text = xml.slice(i, end);
      if (stack.length === 0) {
        for (let k = 0; k < text.length; k++) if (!isSpace(text.charCodeAt(k))) refuse(sawRoot ? 'XML_SHAPE' : 'NOT_XML', 'text outside the root element');
      } else {
        const decoded = decode(text);
        if (capture) capture.push(decoded);
      }
    }
    if (lt < 0) break;
    const c = xml.charCodeAt(lt + 1);
    if (c === 0x21 /* ! */) {
      if (xml.startsWith('<!--', lt)) refuse('XML_COMMENT', 'comment in document');
      if (xml.startsWith('<!DOCTYPE', lt) || xml.startsWith('<!ENTITY', lt)) refuse('XML_DOCTYPE', 'DOCTYPE or ENTITY declaration');
      refuse('XML_SHAPE', xml.startsWith('<![CDATA[', lt) ? 'CDATA section' : 'markup declaration');
    }
    if (c === 0x3f /* ? */) refuse('XML_PROCESSING_INSTRUCTION', 'processing instruction');
    if (c === 0x2f /* / */) {
      const gt = xml.indexOf('>', lt);
      if (gt < 0) refuse('XML_SHAPE', 'unterminated end tag');
      const name = xml.slice(lt + 2, gt).trimEnd();
      const top = stack.pop();
      if (!top || top.qname !== name) refuse('XML_SHAPE', 'mismatched end tag');
      if (top.signature) inSignature--;
      if (encryptedStart >= 0 && stack.length === 1 && top.local === 'EncryptedAssertion') {
        out.encryptedAssertion = xml.slice(encryptedStart, gt + 1);
        encryptedStart = -1;
      }
      if (capture && stack.length === 1) {
        if (top.local === 'Issuer') out.issuers.push(capture.join(''));
        capture = null;
      }
      if (stack.length === 0) rootDone = true;
      i = gt + 1;
      continue;
    }
    // Start tag.
    if (rootDone) refuse('XML_SHAPE', 'more than one root element');
    let p = lt + 1;
    while (p < n && !isSpace(xml.charCodeAt(p)) && xml[p] !== '>' && xml[p] !== '/') p++;
    const qname = xml.slice(lt + 1, p);
    if (!NAME.test(qname)) refuse(sawRoot ? 'XML_SHAPE' : 'NOT_XML', 'invalid element name');
    const attrs = new Map<string, string>();
    let prefixes: Map<string, string> | null = null;
    let selfClosing = false;
    for (;;) {
      while (p < n && isSpace(xml.charCodeAt(p))) p++;
      if (p >= n) refuse('XML_SHAPE', 'unterminated start tag');
      if (xml[p] === '>') { p++; break; }
      if (xml[p] === '/' && xml[p + 1] === '>') { p += 2; selfClosing = true; break; }
      const eq = xml.indexOf('=', p);
      if (eq < 0) refuse('XML_SHAPE', 'attribute without value');
      const an = xml.slice(p, eq).trimEnd();
      if (!NAME.test(an) || attrs.has(an)) refuse('XML_SHAPE', 'invalid or duplicate attribute');
      p = eq + 1;
      while (p < n && isSpace(xml.charCodeAt(p))) p++;
      const q = xml[p];
      if (q !== '"' && q !== "'") refuse('XML_SHAPE', 'unquoted attribute');
      const close = xml.indexOf(q, p + 1);
      if (close < 0) refuse('XML_SHAPE', 'unterminated attribute');
      const raw = xml.slice(p + 1, close);
      if (raw.includes('<')) refuse('XML_SHAPE', '< in attribute value');
      const value = decode(raw);
      attrs.set(an, value);
      if (an === 'xmlns') (prefixes ??= new Map()).set('', value);
      else if (an.startsWith('xmlns:')) (prefixes ??= new Map()).set(an.slice(6), value);
      p = close + 1;
      if (p < n && !isSpace(xml.charCodeAt(p)) && xml[p] !== '>' && xml[p] !== '/') refuse('XML_SHAPE', 'attributes not separated');
    }
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    const local = colon < 0 ? qname : qname.slice(colon + 1);
    const ns = resolve(stack, prefixes, prefix);
    if (ns === undefined) refuse('XML_SHAPE', 'undeclared namespace prefix');
    const depth = stack.length;
    if (depth + 1 > MAX_DEPTH) refuse('XML_TOO_DEEP', `element depth above ${MAX_DEPTH}`);
    sawRoot = true;

    if (depth === 0) {
      const expected = root === 'Response' ? NS.protocol : NS.assertion;
      if (ns !== expected || local !== root) refuse('XML_SHAPE', `root is not a SAML ${root}`);
      out.responseId = attrs.get('ID');
      out.destination = attrs.get('Destination');
      out.inResponseTo = attrs.get('InResponseTo');
    } else if (depth === 1) {
      if (local === 'Issuer' && ns === NS.assertion) capture = [];
      else if (local === 'Signature' && ns === NS.dsig) out.responseSigned = true;
      else if ((local === 'Assertion' || local === 'EncryptedAssertion') && ns === NS.assertion) {
        out.assertions++;
        if (local === 'EncryptedAssertion' && !selfClosing) encryptedStart = lt;
      }
    } else if (depth === 2 && local === 'StatusCode' && ns === NS.protocol && stack[1]!.local === 'Status' && out.statusCode === undefined) {
      out.statusCode = attrs.get('Value') ?? '';
    }
    const signature = ns === NS.dsig && local === 'Signature';
    if (inSignature > 0 && ns === NS.dsig && DSIG_ALGORITHM_ELEMENTS.has(local)) out.algorithms.push({ element: local, algorithm: attrs.get('Algorithm') ?? '' });
    // Elements named like SAML ones under another namespace are how wrapping attacks hide; local names
    // are what node-saml's XPath matches, so an Assertion or Signature anywhere must be the real one.
    if ((local === 'Assertion' || local === 'Signature' || local === 'Response') && ns !== NS.assertion && ns !== NS.dsig && ns !== NS.protocol) {
      refuse('XML_SHAPE', `${local} element in a foreign namespace`);
    }
    if (selfClosing) {
      if (depth === 0) rootDone = true;
      if (depth === 1 && capture) {
        out.issuers.push('');
        capture = null;
      }
    } else {
      if (signature) inSignature++;
      stack.push({ qname, ns, local, prefixes, signature });
    }
    i = p;
  }
  if (!sawRoot) refuse('NOT_XML', 'no root element');
  if (stack.length > 0) refuse('XML_SHAPE', 'unclosed element');
  return out;
}
