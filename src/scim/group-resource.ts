/**
 * The SCIM Group (RFC 7643 §4.2) both ways. Members are users only (allot provisions no nested
 * groups); a member value is a User id this server issued.
 */
import { checkSchemas, optionalString, requireObject } from './body-checks.js';
import { invalidValue, mutability } from './errors.js';
import { ENTRA_GROUP_SCHEMA, GROUP_SCHEMA, GROUP_STORED } from './schemas.js';

export interface GroupFields {
  readonly displayName: string;
  readonly externalId: string | null;
  readonly members: readonly string[];
}

export interface GroupRow {
  id: string;
  displayName: string;
  externalId: string | null;
  createdAt: Date;
  updatedAt: Date;
  members?: { user: { id: string; nameId: string } }[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MEMBER_SUBS = new Set(['value', 'display', 'type', '$ref']);
const KNOWN = new Set<string>(GROUP_STORED);
export const MAX_MEMBERS_PER_REQUEST = 10_000;

export function parseDisplayName(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw invalidValue('displayName is required and must be a non-empty string');
  if (v.length > 256) throw invalidValue('displayName is longer than 256 characters');
  return v;
}

/** Member values ({value: userId, display?, type?}) as lower-cased user ids. */
export function parseMembers(v: unknown, what = 'members'): string[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  if (list.length > MAX_MEMBERS_PER_REQUEST) throw invalidValue(`more than ${MAX_MEMBERS_PER_REQUEST} ${what} in one request`);
  return list.map((m, i) => {
    if (!m || typeof m !== 'object' || Array.isArray(m)) throw invalidValue(`${what}[${i}] must be an object with a value`);
    for (const k of Object.keys(m)) if (!MEMBER_SUBS.has(k.toLowerCase())) throw invalidValue(`unknown attribute members.${k}`);
    const entry = Object.entries(m).find(([k]) => k.toLowerCase() === 'value');
    const value = entry?.[1];
    if (typeof value !== 'string' || !UUID.test(value)) throw invalidValue(`${what}[${i}].value must be a User id`);
    const type = Object.entries(m).find(([k]) => k.toLowerCase() === 'type')?.[1];
    if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'user')) throw invalidValue(`${what}[${i}]: only User members are supported`);
    return value.toLowerCase();
  });
}

export function parseGroupBody(raw: unknown, existing?: { id: string }): GroupFields {
  const body = requireObject(raw, 'Group');
  checkSchemas(body, GROUP_SCHEMA, [GROUP_SCHEMA, ENTRA_GROUP_SCHEMA]);
  const get: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    const key = k.toLowerCase();
    if (!KNOWN.has(key)) throw invalidValue(`unknown attribute ${k}`);
    get[key] = v;
  }
  const id = get['id'];
  if (id !== undefined && (!existing || typeof id !== 'string' || id.toLowerCase() !== existing.id)) {
    throw mutability('id is assigned by the server and cannot be set or changed');
  }
  const meta = get['meta'];
  if (meta !== undefined && meta !== null) {
    if (typeof meta !== 'object' || Array.isArray(meta)) throw mutability('meta is read-only');
    for (const [k, v] of Object.entries(meta)) {
      const key = k.toLowerCase();
      if (!(key === 'resourcetype' && v === 'Group') && !(existing && ['location', 'created', 'lastmodified', 'version'].includes(key))) {
        throw mutability(`meta.${k} is read-only`);
      }
    }
  }
  return {
    displayName: parseDisplayName(get['displayname']),
    externalId: optionalString(get['externalid'], 'externalId', 256),
    members: [...new Set(parseMembers(get['members']))],
  };
}

export function toScimGroup(g: GroupRow, base: string): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA],
    id: g.id,
    ...(g.externalId !== null ? { externalId: g.externalId } : {}),
    displayName: g.displayName,
    ...(g.members ? { members: g.members.map(({ user }) => ({ value: user.id, display: user.nameId, type: 'User', $ref: `${base}/Users/${user.id}` })) } : {}),
    meta: { resourceType: 'Group', created: g.createdAt.toISOString(), lastModified: g.updatedAt.toISOString(), location: `${base}/Groups/${g.id}` },
  };
}
