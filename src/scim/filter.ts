/**
 * SCIM filter expressions (RFC 7644 §3.4.2.2) parsed into a small AST. Our own parser rather than
 * scim2-parse-filter, which mishandles escaped quotes and Entra's `emails[type eq "work"].value`
 * (docs/decisions.md, SCIM section). String literals are JSON strings, so `\"` and `\\` work as the RFC says.
 * Attribute names are checked by the caller against an allow-list; `__proto__` and friends are
 * refused here already so no later step ever sees them.
 */
import { invalidFilter } from './errors.js';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type Literal = string | number | boolean | null;

/** `attr`, `attr.sub`, or `attr[filter].sub` (the filter applies to elements of a multi-valued attr). */
export interface AttrPath {
  readonly attr: string;
  readonly sub?: string;
  readonly valueFilter?: Filter;
}

export type Filter =
  | { readonly kind: 'compare'; readonly path: AttrPath; readonly op: CompareOp; readonly value: Literal }
  | { readonly kind: 'present'; readonly path: AttrPath }
  | { readonly kind: 'and' | 'or'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'not'; readonly filter: Filter }
  | { readonly kind: 'valuePath'; readonly path: AttrPath };

const OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
export const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_FILTER_LENGTH = 2000;
const MAX_DEPTH = 20;

type Token =
  | { t: 'word'; v: string }
  | { t: 'str'; v: string }
  | { t: '(' | ')' | '[' | ']' };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ t: c });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < input.length && input[j] !== '"') j += input[j] === '\\' ? 2 : 1;
      if (j >= input.length) throw invalidFilter('unterminated string in filter');
      try {
        tokens.push({ t: 'str', v: JSON.parse(input.slice(i, j + 1)) as string });
      } catch {
        throw invalidFilter('invalid escape in filter string');
      }
      i = j + 1;
    } else {
      let j = i;
      while (j < input.length && !' \t()[]"'.includes(input[j]!)) j++;
      tokens.push({ t: 'word', v: input.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

const ATTR_NAME = /^(?:urn:[A-Za-z0-9.:_-]+:)?[A-Za-z][\w$-]*(?:\.[A-Za-z][\w$-]*)?$/;

/** Parses `name`, `name.sub`, `urn:…:name` (the schema URN prefix is kept for the caller to strip). */
export function parseAttrName(raw: string): { attr: string; sub?: string } {
  if (!ATTR_NAME.test(raw)) throw invalidFilter(`invalid attribute name: ${raw}`);
  const colon = raw.lastIndexOf(':');
  const name = colon >= 0 ? raw.slice(colon + 1) : raw;
  const urn = colon >= 0 ? raw.slice(0, colon + 1) : '';
  const [attr, sub] = name.split('.') as [string, string | undefined];
  for (const part of [attr, sub]) if (part && FORBIDDEN_NAMES.has(part)) throw invalidFilter(`attribute name not allowed: ${part}`);
  return sub ? { attr: urn + attr, sub } : { attr: urn + attr };
}

function literal(tok: Token | undefined): Literal {
  if (!tok) throw invalidFilter('filter ends where a value was expected');
  if (tok.t === 'str') return tok.v;
  if (tok.t === 'word') {
    if (tok.v === 'true') return true;
    if (tok.v === 'false') return false;
    if (tok.v === 'null') return null;
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(tok.v) && Number.isFinite(Number(tok.v))) return Number(tok.v);
  }
  throw invalidFilter('expected a quoted string, number, true, false or null');
}

export function parseFilter(input: string): Filter {
  if (input.length > MAX_FILTER_LENGTH) throw invalidFilter(`filter longer than ${MAX_FILTER_LENGTH} characters`);
  const tokens = tokenize(input);
  let pos = 0;
  const peekWord = (): string | undefined => {
    const t = tokens[pos];
    return t?.t === 'word' ? t.v.toLowerCase() : undefined;
  };
  const expect = (t: ')' | ']'): void => {
    if (tokens[pos]?.t !== t) throw invalidFilter(`expected "${t}" in filter`);
    pos++;
  };

  function orExpr(depth: number): Filter {
    if (depth > MAX_DEPTH) throw invalidFilter('filter nested too deeply');
    let left = andExpr(depth);
    while (peekWord() === 'or') {
      pos++;
      left = { kind: 'or', left, right: andExpr(depth) };
    }
    return left;
  }
  function andExpr(depth: number): Filter {
    let left = unary(depth);
    while (peekWord() === 'and') {
      pos++;
      left = { kind: 'and', left, right: unary(depth) };
    }
    return left;
  }
  function unary(depth: number): Filter {
    const tok = tokens[pos];
    if (!tok) throw invalidFilter('filter ends where an expression was expected');
    if (tok.t === '(') {
      pos++;
      const f = orExpr(depth + 1);
      expect(')');
      return f;
    }
    if (peekWord() === 'not' && tokens[pos + 1]?.t === '(') {
      pos += 2;
      const f = orExpr(depth + 1);
      expect(')');
      return { kind: 'not', filter: f };
    }
    if (tok.t !== 'word') throw invalidFilter('expected an attribute name in filter');
    pos++;
    let path: AttrPath = parseAttrName(tok.v);
    if (tokens[pos]?.t === '[') {
      if (path.sub) throw invalidFilter(`invalid value path: ${tok.v}`);
      pos++;
      const valueFilter = orExpr(depth + 1);
      expect(']');
      path = { attr: path.attr, valueFilter };
      // Entra's `emails[type eq "work"].value eq "x"`: a sub-attribute after the bracket.
      const next = tokens[pos];
      if (next?.t === 'word' && next.v.startsWith('.')) {
        pos++;
        const sub = next.v.slice(1);
        if (!/^[A-Za-z][\w$-]*$/.test(sub) || FORBIDDEN_NAMES.has(sub)) throw invalidFilter(`invalid sub-attribute: ${sub}`);
        path = { ...path, sub };
      } else {
        return { kind: 'valuePath', path };
      }
    }
    const op = peekWord();
    if (op === 'pr') {
      pos++;
      return { kind: 'present', path };
    }
    if (!op || !OPS.has(op)) throw invalidFilter(`unknown or missing operator after ${tok.v}`);
    pos++;
    return { kind: 'compare', path, op: op as CompareOp, value: literal(tokens[pos++]) };
  }

  if (tokens.length === 0) throw invalidFilter('empty filter');
  const f = orExpr(0);
  if (pos !== tokens.length) throw invalidFilter('unexpected text after the end of the filter');
  return f;
}

/** Evaluates a value filter against one element of a multi-valued attribute (PATCH paths). */
export function matchesElement(f: Filter, el: Record<string, unknown>): boolean {
  switch (f.kind) {
    case 'and':
      return matchesElement(f.left, el) && matchesElement(f.right, el);
    case 'or':
      return matchesElement(f.left, el) || matchesElement(f.right, el);
    case 'not':
      return !matchesElement(f.filter, el);
    case 'valuePath':
      throw invalidFilter('nested value paths are not supported');
    case 'present': {
      const v = Object.hasOwn(el, f.path.attr) ? el[f.path.attr] : undefined;
      return v !== undefined && v !== null && v !== '';
    }
    case 'compare': {
      if (f.path.sub || f.path.valueFilter) throw invalidFilter('sub-attributes are not allowed inside a value filter');
      const v = Object.hasOwn(el, f.path.attr) ? el[f.path.attr] : undefined;
      return compare(v, f.op, f.value);
    }
  }
}

function compare(actual: unknown, op: CompareOp, expected: Literal): boolean {
  const norm = (x: unknown): unknown => (typeof x === 'string' ? x.toLowerCase() : x);
  const a = norm(actual);
  const e = norm(expected);
  switch (op) {
    case 'eq':
      return a === e || (e === null && a === undefined);
    case 'ne':
      return !(a === e || (e === null && a === undefined));
    case 'co':
      return typeof a === 'string' && typeof e === 'string' && a.includes(e);
    case 'sw':
      return typeof a === 'string' && typeof e === 'string' && a.startsWith(e);
    case 'ew':
      return typeof a === 'string' && typeof e === 'string' && a.endsWith(e);
    default:
      return (typeof a === 'string' && typeof e === 'string') || (typeof a === 'number' && typeof e === 'number')
        ? { gt: a > e, ge: a >= e, lt: a < e, le: a <= e }[op]
        : false;
  }
}
