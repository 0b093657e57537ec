/**
 * SCIM Users (RFC 7644 §3.3–3.6) as framework-free handlers. Each write is one decision
 * transaction: lock the user, write the attributes, decide through the allocation service, audit
 * as `scim:<token>`. Deactivation (active false, DELETE) therefore releases the seats in the same
 * transaction, and reactivation recomputes them.
 */
import type { Tx } from '../db/transaction.js';
import type { UserDecision } from '../allocation/decide-user.js';
import { lockUser } from '../allocation/user-lock.js';
import type { ScimDeps } from './context.js';
import { notFound, uniqueness } from './errors.js';
import { userWhere } from './filter-where.js';
import type { ScimRequest, ScimResponse } from './http-types.js';
import { parsePatch } from './patch-ops.js';
import { listPage, parseListQuery, parseProjection, project } from './query.js';
import { USER_SCHEMA } from './schemas.js';
import { applyUserPatch } from './user-patch.js';
import { parseUserBody, toScimUser, userDocument, type UserFields, type UserRow } from './user-resource.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const withGroups = { scimGroups: { select: { group: { select: { id: true, displayName: true } } }, orderBy: { groupId: 'asc' } } } as const;

function columns(f: UserFields): Record<string, unknown> {
  return {
    nameId: f.userName,
    nameIdLower: f.userName.toLowerCase(),
    externalId: f.externalId,
    displayName: f.displayName,
    firstName: f.firstName,
    lastName: f.lastName,
    email: f.email,
    active: f.active,
  };
}

async function assertUserNameFree(tx: Tx, userName: string, exceptId?: string): Promise<void> {
  const other = await tx.user.findUnique({ where: { nameIdLower: userName.toLowerCase() }, select: { id: true } });
  if (other && other.id !== exceptId) throw uniqueness(`userName ${userName} is already taken`);
}

async function load(deps: ScimDeps, id: string): Promise<UserRow> {
  const row = UUID.test(id) ? await deps.db.prisma.user.findUnique({ where: { id: id.toLowerCase() }, include: withGroups }) : null;
  if (!row) throw notFound('User', id);
  return row;
}

async function respond(deps: ScimDeps, req: ScimRequest, id: string, status: number): Promise<ScimResponse> {
  const row = await load(deps, id);
  const body = project(toScimUser(row, req.base), parseProjection(req.query), USER_SCHEMA);
  return { status, body, ...(status === 201 ? { headers: { Location: `${req.base}/Users/${id}` } } : {}) };
}

const single = (d: UserDecision): readonly UserDecision[] => [d];

export async function createUser(deps: ScimDeps, req: ScimRequest): Promise<ScimResponse> {
  const fields = parseUserBody(req.body);
  parseProjection(req.query);
  const d = await deps.allocation.transaction(
    'scim',
    async (tx, a) => {
      await assertUserNameFree(tx, fields.userName);
      const user = await tx.user.create({ data: columns(fields) as never, select: { id: true } });
      return deps.allocation.decideInTx(tx, user.id, a, { actor: req.actor, action: 'scim.user.create' });
    },
    single,
  );
  return respond(deps, req, d.user.id, 201);
}

export async function getUser(deps: ScimDeps, req: ScimRequest, id: string): Promise<ScimResponse> {
  parseProjection(req.query);
  return respond(deps, req, id, 200);
}

export async function listUsers(deps: ScimDeps, req: ScimRequest): Promise<ScimResponse> {
  const q = parseListQuery(req.query, deps.maxResults);
  const projection = parseProjection(req.query);
  const where = q.filter ? userWhere(q.filter) : {};
  return listPage(
    q,
    () => deps.db.prisma.user.count({ where }),
    (skip, take) => deps.db.prisma.user.findMany({ where, include: withGroups, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], skip, take }),
    (r) => project(toScimUser(r, req.base), projection, USER_SCHEMA),
  );
}

/** PUT and PATCH: the new attributes come from the locked current row, then one decision. */
async function update(deps: ScimDeps, req: ScimRequest, id: string, action: string, next: (row: UserRow) => UserFields): Promise<ScimResponse> {
  const current = await load(deps, id);
  await deps.allocation.transaction(
    'scim',
    async (tx, a) => {
      await lockUser(tx, current.id);
      const row = await tx.user.findUniqueOrThrow({ where: { id: current.id } });
      const fields = next(row);
      if (fields.userName.toLowerCase() !== row.nameIdLower) await assertUserNameFree(tx, fields.userName, row.id);
      await tx.user.update({ where: { id: row.id }, data: columns(fields) });
      return deps.allocation.decideInTx(tx, row.id, a, { actor: req.actor, action });
    },
    single,
  );
  return respond(deps, req, current.id, 200);
}

export function replaceUser(deps: ScimDeps, req: ScimRequest, id: string): Promise<ScimResponse> {
  parseProjection(req.query);
  return update(deps, req, id, 'scim.user.replace', (row) => parseUserBody(req.body, { id: row.id, created: row.createdAt }));
}

export function patchUser(deps: ScimDeps, req: ScimRequest, id: string): Promise<ScimResponse> {
  const ops = parsePatch(req.body, USER_SCHEMA);
  parseProjection(req.query);
  return update(deps, req, id, 'scim.user.patch', (row) => parseUserBody(applyUserPatch(userDocument(row), ops)));
}

/** DELETE: deactivate and release in one decision, then remove the user (its memberships cascade). */
export async function deleteUser(deps: ScimDeps, req: ScimRequest, id: string): Promise<ScimResponse> {
  const current = await load(deps, id);
  await deps.allocation.transaction(
    'scim',
    async (tx, a) => {
      await lockUser(tx, current.id);
      await tx.user.update({ where: { id: current.id }, data: { active: false } });
      const d = await deps.allocation.decideInTx(tx, current.id, a, { actor: req.actor, action: 'scim.user.delete' });
      await tx.user.delete({ where: { id: current.id } });
      return d;
    },
    single,
  );
  return { status: 204 };
}
