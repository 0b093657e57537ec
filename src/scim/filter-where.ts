/**
 * Compiles a parsed SCIM filter into a Prisma `where` for Users or Groups. Only allow-listed
 * attributes are filterable (anything else is 400 invalidFilter, never a database error), and
 * comparisons follow each attribute's caseExact (RFC 7643 §7: userName, displayName and emails
 * are case-insensitive, id and externalId are not).
 */
import type { Prisma } from '../generated/prisma/client.js';
import { invalidFilter } from './errors.js';
import type { AttrPath, CompareOp, Filter, Literal } from './filter.js';
import { USER_SCHEMA, GROUP_SCHEMA } from './schemas.js';

type Where = Record<string, unknown>;
const NOTHING: Where = { id: { in: [] } };
const EVERYTHING: Where = {};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Kind = 'uuid' | 'text' | 'textCi' | 'lower' | 'bool' | 'date';
interface Column {
  readonly column: string;
  readonly kind: Kind;
}

const USER_ATTRS: Record<string, Column> = {
  id: { column: 'id', kind: 'uuid' },
  username: { column: 'nameIdLower', kind: 'lower' },
  externalid: { column: 'externalId', kind: 'text' },
  displayname: { column: 'displayName', kind: 'textCi' },
  emails: { column: 'email', kind: 'textCi' },
  'emails.value': { column: 'email', kind: 'textCi' },
  'name.givenname': { column: 'firstName', kind: 'textCi' },
  'name.familyname': { column: 'lastName', kind: 'textCi' },
  active: { column: 'active', kind: 'bool' },
  'meta.created': { column: 'createdAt', kind: 'date' },
  'meta.lastmodified': { column: 'updatedAt', kind: 'date' },
};

const GROUP_ATTRS: Record<string, Column> = {
  id: { column: 'id', kind: 'uuid' },
  displayname: { column: 'displayName', kind: 'textCi' },
  externalid: { column: 'externalId', kind: 'text' },
  'meta.created': { column: 'createdAt', kind: 'date' },
  'meta.lastmodified': { column: 'updatedAt', kind: 'date' },
};

export function userWhere(f: Filter): Prisma.UserWhereInput {
  return compile(f, 'user') as Prisma.UserWhereInput;
}

export function groupWhere(f: Filter): Prisma.ScimGroupWhereInput {
  return compile(f, 'group') as Prisma.ScimGroupWhereInput;
}

function compile(f: Filter, resource: 'user' | 'group'): Where {
  switch (f.kind) {
    case 'and':
      return { AND: operands(f, 'and').map((x) => compile(x, resource)) };
    case 'or':
      return { OR: operands(f, 'or').map((x) => compile(x, resource)) };
    case 'not':
      return { NOT: compile(f.filter, resource) };
    case 'valuePath':
      return valuePath(f.path, resource);
    case 'present':
    case 'compare':
      if (f.path.valueFilter) return { AND: [valuePath(f.path, resource), leaf(f, resource, { ...f.path, valueFilter: undefined })] };
      return leaf(f, resource, f.path);
  }
}

/** `a or b or c` parses left-deep; one flat OR keeps the query shallow however long the chain. */
function operands(f: Filter, kind: 'and' | 'or'): Filter[] {
  const out: Filter[] = [];
  const stack: Filter[] = [f];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    if (cur.kind === kind) stack.push(cur.right, cur.left);
    else out.push(cur);
  }
  return out;
}

/** `emails[type eq "work"]`: we keep one email, the work one; `members[value eq "id"]`. */
function valuePath(path: AttrPath, resource: 'user' | 'group'): Where {
  const name = strip(path.attr, resource).toLowerCase();
  if (resource === 'user' && name === 'emails') return elementFilter(path.valueFilter!, (sub, f) => emailElement(sub, f));
  if (resource === 'group' && name === 'members') return elementFilter(path.valueFilter!, (sub, f) => memberElement(sub, f));
  throw invalidFilter(`attribute ${path.attr} has no filterable values`);
}

function elementFilter(f: Filter | undefined, leafOf: (sub: string, f: Extract<Filter, { kind: 'compare' | 'present' }>) => Where): Where {
  if (!f) return EVERYTHING;
  switch (f.kind) {
    case 'and':
      return { AND: [elementFilter(f.left, leafOf), elementFilter(f.right, leafOf)] };
    case 'or':
      return { OR: [elementFilter(f.left, leafOf), elementFilter(f.right, leafOf)] };
    case 'not':
      return { NOT: elementFilter(f.filter, leafOf) };
    case 'valuePath':
      throw invalidFilter('nested value filters are not supported');
    default:
      if (f.path.sub || f.path.valueFilter) throw invalidFilter('sub-attributes are not allowed inside a value filter');
      return leafOf(f.path.attr.toLowerCase(), f);
  }
}

function emailElement(sub: string, f: Extract<Filter, { kind: 'compare' | 'present' }>): Where {
  if (sub === 'value') return leaf(f, 'user', { attr: 'emails' });
  if (sub === 'type') return f.kind === 'present' || (f.op === 'eq' && typeof f.value === 'string' && f.value.toLowerCase() === 'work') ? EVERYTHING : NOTHING;
  if (sub === 'primary') return f.kind === 'present' || (f.op === 'eq' && f.value === true) ? EVERYTHING : NOTHING;
  throw invalidFilter(`emails.${sub} is not filterable`);
}

function memberElement(sub: string, f: Extract<Filter, { kind: 'compare' | 'present' }>): Where {
  if (sub !== 'value') throw invalidFilter(`members.${sub} is not filterable`);
  if (f.kind === 'present') return { members: { some: {} } };
  if (f.op !== 'eq' || typeof f.value !== 'string') throw invalidFilter('members.value supports only eq with a string');
  return UUID.test(f.value) ? { members: { some: { userId: f.value.toLowerCase() } } } : NOTHING;
}

function strip(attr: string, resource: 'user' | 'group'): string {
  const prefix = `${resource === 'user' ? USER_SCHEMA : GROUP_SCHEMA}:`;
  if (attr.toLowerCase().startsWith(prefix.toLowerCase())) return attr.slice(prefix.length);
  if (attr.startsWith('urn:')) throw invalidFilter(`attribute ${attr} is not filterable`);
  return attr;
}

function leaf(f: Extract<Filter, { kind: 'compare' | 'present' }>, resource: 'user' | 'group', path: AttrPath): Where {
  const name = strip(path.attr, resource) + (path.sub ? `.${path.sub}` : '');
  if (resource === 'group' && /^members(\.value)?$/i.test(name)) {
    return f.kind === 'present' ? { members: { some: {} } } : memberElement('value', f);
  }
  const col = (resource === 'user' ? USER_ATTRS : GROUP_ATTRS)[name.toLowerCase()];
  if (!col || !Object.hasOwn(resource === 'user' ? USER_ATTRS : GROUP_ATTRS, name.toLowerCase())) {
    throw invalidFilter(`attribute ${name} is not filterable`);
  }
  if (f.kind === 'present') {
    return col.kind === 'bool' || col.kind === 'uuid' || col.kind === 'date' || col.column === 'nameIdLower'
      ? EVERYTHING
      : { AND: [{ [col.column]: { not: null } }, { NOT: { [col.column]: '' } }] };
  }
  return compare(col, f.op, f.value, name);
}

function compare(col: Column, op: CompareOp, value: Literal, name: string): Where {
  const c = col.column;
  switch (col.kind) {
    case 'bool':
      if (typeof value !== 'boolean' || (op !== 'eq' && op !== 'ne')) throw invalidFilter(`${name} supports eq/ne with true or false`);
      return { [c]: op === 'eq' ? value : !value };
    case 'uuid':
      if (typeof value !== 'string' || (op !== 'eq' && op !== 'ne')) throw invalidFilter(`${name} supports eq/ne with a string`);
      if (!UUID.test(value)) return op === 'eq' ? NOTHING : EVERYTHING;
      return op === 'eq' ? { [c]: value.toLowerCase() } : { NOT: { [c]: value.toLowerCase() } };
    case 'date': {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw invalidFilter(`${name} needs a date-time string`);
      const d = new Date(value);
      const map = { eq: 'equals', gt: 'gt', ge: 'gte', lt: 'lt', le: 'lte' } as const;
      if (op === 'ne') return { NOT: { [c]: d } };
      if (!(op in map)) throw invalidFilter(`${name} does not support ${op}`);
      return { [c]: { [map[op as keyof typeof map]]: d } };
    }
    default: {
      if (typeof value !== 'string') throw invalidFilter(`${name} needs a quoted string`);
      const v = col.kind === 'lower' ? value.toLowerCase() : value;
      const mode = col.kind === 'textCi' ? { mode: 'insensitive' } : {};
      const ops = { eq: 'equals', co: 'contains', sw: 'startsWith', ew: 'endsWith', gt: 'gt', ge: 'gte', lt: 'lt', le: 'lte' } as const;
      if (op === 'ne') return { OR: [{ [c]: null }, { NOT: { [c]: { equals: v, ...mode } } }] };
      return { [c]: { [ops[op]]: v, ...mode } };
    }
  }
}
