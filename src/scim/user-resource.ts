/**
 * The SCIM User as allot stores it (RFC 7643 §4.1), both ways: a request body checked and
 * normalised into the fields of app_user, and a row rendered as a resource. Only the
 * attributes in schemas.ts are known; the ignorable ones are dropped, the rest refused.
 */
import { checkSchemas, optionalString, requireObject, toBoolean } from './body-checks.js';
import { invalidValue, mutability } from './errors.js';
import { ENTERPRISE_USER_SCHEMA, USER_IGNORED, USER_SCHEMA, USER_STORED } from './schemas.js';

export interface UserFields {
  readonly userName: string;
  readonly externalId: string | null;
  readonly displayName: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
  readonly active: boolean;
}

export interface UserRow {
  id: string;
  nameId: string;
  externalId: string | null;
  displayName: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
  scimGroups?: { group: { id: string; displayName: string } }[];
}

/** What the resource already is, for the mutability checks of PUT (absent on POST). */
export interface Existing {
  readonly id: string;
  readonly created: Date;
}

const KNOWN = new Set<string>([...USER_STORED, ...USER_IGNORED]);
const NAME_SUBS = new Set(['givenname', 'familyname', 'formatted', 'middlename', 'honorificprefix', 'honorificsuffix']);
const EMAIL_SUBS = new Set(['value', 'type', 'primary', 'display']);
const MAX_EMAILS = 20;

export function parseUserBody(raw: unknown, existing?: Existing): UserFields {
  const body = requireObject(raw, 'User');
  checkSchemas(body, USER_SCHEMA, [USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
  const get: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    const key = k.toLowerCase();
    if (key === ENTERPRISE_USER_SCHEMA.toLowerCase()) {
      if (v !== null && (typeof v !== 'object' || Array.isArray(v))) throw invalidValue(`${k} must be an object`);
      continue;
    }
    if (!KNOWN.has(key)) throw invalidValue(`unknown attribute ${k}`);
    if (Object.hasOwn(get, key)) throw invalidValue(`attribute ${k} given twice`);
    get[key] = v;
  }
  checkIdentity(get, existing);
  const userName = get['username'];
  if (typeof userName !== 'string' || userName.trim() === '') throw invalidValue('userName is required and must be a non-empty string');
  if (userName.length > 256) throw invalidValue('userName is longer than 256 characters');
  const name = parseName(get['name']);
  return {
    userName,
    externalId: optionalString(get['externalid'], 'externalId', 256),
    displayName: optionalString(get['displayname'], 'displayName', 256),
    firstName: name.givenname,
    lastName: name.familyname,
    email: parseEmails(get['emails']),
    active: get['active'] === undefined || get['active'] === null ? true : toBoolean(get['active'], 'active'),
  };
}

/** id and meta are the server's: a body may echo them back unchanged, never change them. */
function checkIdentity(get: Record<string, unknown>, existing?: Existing): void {
  const id = get['id'];
  if (id !== undefined && (existing === undefined || typeof id !== 'string' || id.toLowerCase() !== existing.id)) {
    throw mutability('id is assigned by the server and cannot be set or changed');
  }
  const meta = get['meta'];
  if (meta === undefined || meta === null) return;
  if (typeof meta !== 'object' || Array.isArray(meta)) throw mutability('meta is read-only');
  for (const [k, v] of Object.entries(meta)) {
    const key = k.toLowerCase();
    if (key === 'resourcetype' && v === 'User') continue;
    if (key === 'created' && existing && typeof v === 'string' && Date.parse(v) === existing.created.getTime()) continue;
    if (key === 'lastmodified' || key === 'version' || (key === 'location' && existing)) continue;
    throw mutability(`meta.${k} is read-only`);
  }
}

function parseName(v: unknown): Record<'givenname' | 'familyname', string | null> {
  const out = { givenname: null as string | null, familyname: null as string | null };
  if (v === undefined || v === null) return out;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidValue('name must be an object');
  for (const [k, sub] of Object.entries(v)) {
    const key = k.toLowerCase();
    if (!NAME_SUBS.has(key)) throw invalidValue(`unknown attribute name.${k}`);
    const s = optionalString(sub, `name.${k}`, 256);
    if (key === 'givenname' || key === 'familyname') out[key] = s;
  }
  return out;
}

/** allot keeps one address: the primary one, else the work one, else the first. */
function parseEmails(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw invalidValue('emails must be a list');
  if (v.length > MAX_EMAILS) throw invalidValue(`more than ${MAX_EMAILS} emails`);
  const emails = v.map((el, i) => {
    if (!el || typeof el !== 'object' || Array.isArray(el)) throw invalidValue(`emails[${i}] must be an object`);
    const e: { value: string | null; type: string | null; primary: boolean } = { value: null, type: null, primary: false };
    for (const [k, sub] of Object.entries(el as Record<string, unknown>)) {
      const key = k.toLowerCase();
      if (!EMAIL_SUBS.has(key)) throw invalidValue(`unknown attribute emails.${k}`);
      if (key === 'value') e.value = optionalString(sub, 'emails.value', 320);
      if (key === 'type') e.type = optionalString(sub, 'emails.type', 64);
      if (key === 'primary' && sub !== null && sub !== undefined) e.primary = toBoolean(sub, 'emails.primary');
    }
    return e;
  });
  const chosen = emails.find((e) => e.primary && e.value) ?? emails.find((e) => e.type?.toLowerCase() === 'work' && e.value) ?? emails.find((e) => e.value);
  return chosen?.value ?? null;
}

export function toScimUser(u: UserRow, base: string): Record<string, unknown> {
  const name: Record<string, string> = {};
  if (u.firstName) name['givenName'] = u.firstName;
  if (u.lastName) name['familyName'] = u.lastName;
  if (u.firstName || u.lastName) name['formatted'] = [u.firstName, u.lastName].filter(Boolean).join(' ');
  return {
    schemas: [USER_SCHEMA],
    id: u.id,
    ...(u.externalId !== null ? { externalId: u.externalId } : {}),
    userName: u.nameId,
    ...(Object.keys(name).length > 0 ? { name } : {}),
    ...(u.displayName !== null ? { displayName: u.displayName } : {}),
    ...(u.email ? { emails: [{ value: u.email, type: 'work', primary: true }] } : {}),
    active: u.active,
    groups: (u.scimGroups ?? []).map(({ group }) => ({ value: group.id, display: group.displayName, $ref: `${base}/Groups/${group.id}` })),
    meta: { resourceType: 'User', created: u.createdAt.toISOString(), lastModified: u.updatedAt.toISOString(), location: `${base}/Users/${u.id}` },
  };
}

/** The writable part of a stored user as a SCIM document, the starting point of a PATCH. */
export function userDocument(u: UserRow): Record<string, unknown> {
  const { schemas: _s, id: _i, meta: _m, groups: _g, ...doc } = toScimUser(u, '');
  return doc;
}
