/**
 * Applies normalised PATCH operations to a User document (the writable attributes as SCIM JSON).
 * The result goes through parseUserBody like a PUT body, so types, string booleans and unknown
 * sub-attributes are checked in one place. Multi-valued `emails` honours value filters the way
 * Entra uses them: `replace emails[type eq "work"].value` creates the work address if missing.
 */
import { invalidPath, invalidValue, mutability } from './errors.js';
import { matchesElement, type Filter } from './filter.js';
import type { PatchOp } from './patch-ops.js';
import { ENTERPRISE_USER_SCHEMA, USER_IGNORED } from './schemas.js';

type Doc = Record<string, unknown>;
const SCALARS: Record<string, string> = { username: 'userName', externalid: 'externalId', displayname: 'displayName', active: 'active' };
const READ_ONLY = new Set(['id', 'meta', 'schemas', 'groups']);
const IGNORED = new Set<string>(USER_IGNORED);

export function applyUserPatch(doc: Doc, ops: readonly PatchOp[]): Doc {
  const out: Doc = structuredClone(doc);
  for (const op of ops) applyOne(out, op);
  return out;
}

function applyOne(doc: Doc, { op, path, value }: PatchOp): void {
  if (!path) throw invalidPath('operation without a path');
  const { attr, sub, filter } = path;
  if (attr.startsWith(`${ENTERPRISE_USER_SCHEMA.toLowerCase()}:`) || IGNORED.has(attr)) return;
  if (READ_ONLY.has(attr)) throw mutability(`${path.text} is read-only`);
  if (op !== 'remove' && value === undefined) throw invalidValue(`${op} ${path.text} needs a value`);
  const scalar = SCALARS[attr];
  if (scalar !== undefined && Object.hasOwn(SCALARS, attr)) {
    if (sub || filter) throw invalidPath(`${path.text}: ${scalar} has no sub-attributes`);
    if (op === 'remove') delete doc[scalar];
    else doc[scalar] = value;
    return;
  }
  if (attr === 'name') return patchName(doc, op, sub, value, path.text, filter);
  if (attr === 'emails') return patchEmails(doc, op, sub, filter, value);
  throw invalidPath(`unknown attribute ${path.text}`);
}

function patchName(doc: Doc, op: PatchOp['op'], sub: string | undefined, value: unknown, text: string, filter?: Filter): void {
  if (filter) throw invalidPath(`${text}: name is not multi-valued`);
  // Keys lower-cased: the path's sub-attribute is, and parseUserBody matches case-insensitively.
  const current = lowerKeys((doc['name'] as Doc | undefined) ?? {});
  if (sub) {
    const next = { ...current };
    if (op === 'remove') delete next[sub];
    else next[sub] = value;
    doc['name'] = next;
    return;
  }
  if (op === 'remove') {
    delete doc['name'];
    return;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalidValue('name must be an object');
  // RFC 7644 §3.5.2.3: sub-attributes not in the value are left unchanged, for replace as for add.
  doc['name'] = { ...current, ...lowerKeys(value as Doc) };
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function elementsOf(doc: Doc): Doc[] {
  const v = doc['emails'];
  return Array.isArray(v) ? (v as Doc[]) : [];
}

/** The element a filter such as `type eq "work"` describes, for replace/add when none matches. */
function seed(filter: Filter | undefined): Doc {
  const el: Doc = {};
  const walk = (f: Filter): void => {
    if (f.kind === 'and') {
      walk(f.left);
      walk(f.right);
    } else if (f.kind === 'compare' && f.op === 'eq' && !f.path.sub) el[f.path.attr] = f.value;
  };
  if (filter) walk(filter);
  return el;
}

function patchEmails(doc: Doc, op: PatchOp['op'], sub: string | undefined, filter: Filter | undefined, value: unknown): void {
  const els = elementsOf(doc).map((e) => ({ ...e }));
  if (!filter && !sub) {
    if (op === 'remove') {
      if (value === undefined) delete doc['emails'];
      else {
        const drop = asList(value).map((v) => String((v as Doc | null)?.['value'] ?? '').toLowerCase());
        doc['emails'] = els.filter((e) => !drop.includes(String(e['value'] ?? '').toLowerCase()));
      }
      return;
    }
    const added = asList(value);
    doc['emails'] = op === 'replace' ? added : [...els, ...added];
    return;
  }
  const matches = (e: Doc): boolean => (filter ? matchesElement(filter, e) : true);
  if (op === 'remove') {
    doc['emails'] = sub ? els.map((e) => (matches(e) ? omitKey(e, sub) : e)) : els.filter((e) => !matches(e));
    return;
  }
  let hit = false;
  const next = els.map((e) => {
    if (!matches(e)) return e;
    hit = true;
    if (sub) return { ...e, [sub]: value };
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalidValue('an email must be an object');
    return { ...e, ...value };
  });
  if (!hit) {
    const fresh = sub ? { ...seed(filter), [sub]: value } : { ...seed(filter), ...(value as Doc) };
    if (els.length === 0 && fresh['primary'] === undefined) fresh['primary'] = true;
    next.push(fresh);
  }
  doc['emails'] = next;
}

function omitKey(e: Doc, key: string): Doc {
  const { [key]: _drop, ...rest } = e;
  return rest;
}

function lowerKeys(o: Doc): Doc {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
}
