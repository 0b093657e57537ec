/**
 * Applies normalised PATCH operations to a Group: the shapes Entra and Okta send for membership
 * (`add members [{value}]`, `remove members[value eq "id"]`, Entra's `remove members` with a
 * value list, `replace members`), renames (`replace displayName`, Okta's no-path
 * `{"id": …, "displayName": …}`) and externalId.
 */
import { invalidPath, invalidValue, mutability } from './errors.js';
import { matchesElement } from './filter.js';
import { parseDisplayName, parseMembers } from './group-resource.js';
import type { PatchOp } from './patch-ops.js';
import { optionalString } from './body-checks.js';

export interface GroupState {
  readonly id: string;
  displayName: string;
  externalId: string | null;
  members: Set<string>;
}

export function applyGroupPatch(state: GroupState, ops: readonly PatchOp[]): GroupState {
  const next: GroupState = { ...state, members: new Set(state.members) };
  for (const op of ops) applyOne(next, op);
  return next;
}

function applyOne(s: GroupState, { op, path, value }: PatchOp): void {
  if (!path) throw invalidPath('operation without a path');
  const { attr, sub, filter } = path;
  if (attr === 'id') {
    // Okta's no-path rename repeats the id; the same id is fine, another one is not.
    if (op === 'replace' && typeof value === 'string' && value.toLowerCase() === s.id) return;
    throw mutability('id cannot be changed');
  }
  if (attr === 'meta' || attr === 'schemas') throw mutability(`${path.text} is read-only`);
  if (attr === 'displayname' || attr === 'externalid') {
    if (sub || filter) throw invalidPath(`${path.text}: no sub-attributes`);
    if (attr === 'displayname') {
      if (op === 'remove') throw mutability('displayName is required and cannot be removed');
      s.displayName = parseDisplayName(value);
    } else {
      s.externalId = op === 'remove' ? null : optionalString(value, 'externalId', 256);
    }
    return;
  }
  if (attr !== 'members') throw invalidPath(`unknown attribute ${path.text}`);
  if (sub && !(filter && op === 'remove')) throw invalidPath(`${path.text}: members sub-attributes cannot be patched`);
  if (filter) {
    if (op !== 'remove') throw invalidPath(`${path.text}: a member filter is only supported with remove`);
    for (const id of [...s.members]) if (matchesElement(filter, { value: id, type: 'User' })) s.members.delete(id);
    return;
  }
  if (op === 'remove') {
    if (value === undefined || value === null) s.members.clear();
    else for (const id of parseMembers(value)) s.members.delete(id);
    return;
  }
  if (value === undefined) throw invalidValue(`${op} members needs a value`);
  const ids = parseMembers(value);
  if (op === 'replace') s.members = new Set(ids);
  else for (const id of ids) s.members.add(id);
}
