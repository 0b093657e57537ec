/**
 * SCIM Groups (RFC 7644 §3.3–3.6). A group write is one transaction: lock the group row, write
 * the group and its members, bring the members' `scim` memberships in step. The members whose
 * effective groups changed are then re-decided, one transaction each (inline up to the threshold,
 * else by a `scim.members` job), so a 1,000-member PATCH answers at once.
 */
import { withTx, type Tx } from '../db/transaction.js';
import type { ScimDeps } from './context.js';
import { invalidValue, notFound, uniqueness } from './errors.js';
import { groupWhere } from './filter-where.js';
import { applyGroupPatch, type GroupState } from './group-patch.js';
import { parseGroupBody, toScimGroup, type GroupFields, type GroupRow } from './group-resource.js';
import type { ScimRequest, ScimResponse } from './http-types.js';
import { syncScimMemberships } from './memberships.js';
import { parsePatch } from './patch-ops.js';
import { listPage, parseListQuery, parseProjection, project, type Projection } from './query.js';
import { redecideUsers } from './redecide.js';
import { GROUP_SCHEMA } from './schemas.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const membersInclude = { members: { select: { user: { select: { id: true, nameId: true } } }, orderBy: { userId: 'asc' } } } as const;

/** Entra asks `excludedAttributes=members`: then the member list is not even loaded. */
function wantsMembers(p: Projection): boolean {
  const isMembers = (n: string): boolean => /^(urn:ietf:params:scim:schemas:core:2\.0:group:)?members$/i.test(n);
  if (p.attributes) return p.attributes.some((n) => isMembers(n) || /members\./i.test(n));
  return !(p.excluded ?? []).some(isMembers);
}

async function findGroup(deps: ScimDeps, id: string, members: boolean): Promise<GroupRow> {
  const row = UUID.test(id)
    ? await deps.db.prisma.scimGroup.findUnique({ where: { id: id.toLowerCase() }, ...(members ? { include: membersInclude } : {}) })
    : null;
  if (!row) throw notFound('Group', id);
  return row;
}

async function respond(deps: ScimDeps, req: ScimRequest, id: string, status: number, jobId?: string): Promise<ScimResponse> {
  const p = parseProjection(req.query);
  const body = project(toScimGroup(await findGroup(deps, id, wantsMembers(p)), req.base), p, GROUP_SCHEMA);
  const headers: Record<string, string> = {};
  if (status === 201) headers['Location'] = `${req.base}/Groups/${id}`;
  if (jobId) headers['X-Allot-Job'] = jobId;
  return { status, body, headers };
}

async function assertUsersExist(tx: Tx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await tx.user.findMany({ where: { id: { in: [...ids] } }, select: { id: true } });
  if (found.length === ids.length) return;
  const known = new Set(found.map((u) => u.id));
  const missing = ids.filter((id) => !known.has(id));
  throw invalidValue(`unknown member${missing.length > 1 ? 's' : ''}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
}

async function assertNameFree(tx: Tx, displayName: string, exceptId?: string): Promise<void> {
  const other = await tx.scimGroup.findUnique({ where: { displayName }, select: { id: true } });
  if (other && other.id !== exceptId) throw uniqueness(`a group named ${displayName} already exists`);
}

interface Written {
  readonly id: string;
  readonly affected: readonly string[];
}

/** Writes the group's new state and returns the users whose effective groups changed. */
async function writeState(tx: Tx, before: GroupState | null, after: GroupFields & { id?: string }): Promise<Written> {
  const members = [...new Set(after.members)];
  let id: string;
  if (!before) {
    await assertNameFree(tx, after.displayName);
    await assertUsersExist(tx, members);
    id = (await tx.scimGroup.create({ data: { displayName: after.displayName, externalId: after.externalId }, select: { id: true } })).id;
  } else {
    id = before.id;
    if (after.displayName !== before.displayName) await assertNameFree(tx, after.displayName, id);
    if (after.displayName !== before.displayName || after.externalId !== before.externalId) {
      await tx.scimGroup.update({ where: { id }, data: { displayName: after.displayName, externalId: after.externalId } });
    } else {
      await tx.scimGroup.update({ where: { id }, data: { updatedAt: new Date() } });
    }
  }
  const old = before?.members ?? new Set<string>();
  const added = members.filter((m) => !old.has(m));
  const keep = new Set(members);
  const removed = [...old].filter((m) => !keep.has(m));
  if (before) await assertUsersExist(tx, added);
  if (removed.length > 0) await tx.scimGroupMember.deleteMany({ where: { groupId: id, userId: { in: removed } } });
  if (added.length > 0) await tx.scimGroupMember.createMany({ data: added.map((userId) => ({ groupId: id, userId })), skipDuplicates: true });
  const renamed = before !== null && (after.displayName !== before.displayName || after.externalId !== before.externalId);
  const affected = renamed ? [...new Set([...members, ...removed])] : [...added, ...removed];
  await syncScimMemberships(tx, affected);
  return { id, affected };
}

/** Locks the group row (concurrent PATCHes of one group serialise) and reads its state. */
async function lockGroup(tx: Tx, id: string): Promise<GroupState> {
  const rows = await tx.$queryRaw<{ id: string; display_name: string; external_id: string | null }[]>`
    SELECT id::text AS id, display_name, external_id FROM scim_group WHERE id = ${id}::uuid FOR UPDATE`;
  const row = rows[0];
  if (!row) throw notFound('Group', id);
  const members = await tx.scimGroupMember.findMany({ where: { groupId: id }, select: { userId: true } });
  return { id: row.id, displayName: row.display_name, externalId: row.external_id, members: new Set(members.map((m) => m.userId)) };
}

async function afterWrite(deps: ScimDeps, req: ScimRequest, w: Written): Promise<string | undefined> {
  const r = await redecideUsers(deps, w.affected, req.actor, w.id);
  return r.jobId;
}

export async function createGroup(deps: ScimDeps, req: ScimRequest): Promise<ScimResponse> {
  const fields = parseGroupBody(req.body);
  parseProjection(req.query);
  const w = await withTx(deps.db, (tx) => writeState(tx, null, fields));
  const jobId = await afterWrite(deps, req, w);
  return respond(deps, req, w.id, 201, jobId);
}

export async function getGroup(deps: ScimDeps, req: ScimRequest, id: string): Promise<ScimResponse> {
  return respond(deps, req, id, 200);
}

export async function listGroups(deps: ScimDeps, req: ScimRequest): Promise<ScimResponse> {
  const q = parseListQuery(req.query, deps.maxResults);
  const p = parseProjection(req.query);
  const where = q.filter ? groupWhere(q.filter) : {};
  return listPage(
    q,
    () => deps.db.prisma.scimGroup.count({ where }),
    (skip, take) =>
      deps.db.prisma.scimGroup.findMany({
        where,
        ...(wantsMembers(p) ? { include: membersInclude } : {}),
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        skip,
        take,
      }),
    (r) => project(toScimGroup(r, req.base), p, GROUP_SCHEMA),
  );
}

export async function replaceGroup(deps: ScimDeps, req: ScimRequest, id: string): Promise<ScimResponse> {
  await findGroup(deps, id, false);
  const fields = parseGroupBody(req.body, { id: id.toLowerCase() });
  parseProjection(req.query);
  const w = await withTx(deps.db, async (tx) => writeState(tx, await lockGroup(tx, id.toLowerCase()), fields));
  const jobId = await afterWrite(deps, req, w);
  return respond(deps, req, w.id, 200, jobId);
}

/** 204 unless the client asked for attributes back (RFC 7644 §3.5.2); the job id is in a header. */
export async function patchGroup(deps: ScimDeps, req: ScimRequest, id: string): Promise<ScimResponse> {
  await findGroup(deps, id, false);
  const ops = parsePatch(req.body, GROUP_SCHEMA);
  const p = parseProjection(req.query);
  const w = await withTx(deps.db, async (tx) => {
    const before = await lockGroup(tx, id.toLowerCase());
    const after = applyGroupPatch(before, ops);
    return writeState(tx, before, { displayName: after.displayName, externalId: after.externalId, members: [...after.members] });
  });
  const jobId = await afterWrite(deps, req, w);
  if (p.attributes || p.excluded) return respond(deps, req, w.id, 200, jobId);
  return { status: 204, ...(jobId ? { headers: { 'X-Allot-Job': jobId } } : {}) };
}

export async function deleteGroup(deps: ScimDeps, req: ScimRequest, id: string): Promise<ScimResponse> {
  await findGroup(deps, id, false);
  const w = await withTx(deps.db, async (tx) => {
    const before = await lockGroup(tx, id.toLowerCase());
    await tx.scimGroup.delete({ where: { id: before.id } });
    const affected = [...before.members];
    await syncScimMemberships(tx, affected);
    return { id: before.id, affected };
  });
  const jobId = await afterWrite(deps, req, w);
  return { status: 204, ...(jobId ? { headers: { 'X-Allot-Job': jobId } } : {}) };
}
