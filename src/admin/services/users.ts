/**
 * Users as administrators see them (SPEC §6): filtered, cursor-paginated lists in nameId order
 * and single users by id or nameId, each with roles, effective groups and licenses.
 */
import type { Db } from '../../db/client.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { resolveUserId } from '../../users/resolve.js';
import { decodeCursor, encodeCursor } from './cursor.js';

export interface UserView {
  readonly id: string;
  readonly nameId: string;
  readonly email: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly externalId: string | null;
  readonly active: boolean;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  /** Each effective group with the source that asserts it (a group may come from both). */
  readonly memberships: readonly { group: string; source: 'saml' | 'scim' }[];
  readonly licenses: readonly { key: string; origin: 'mapping' | 'manual' }[];
  readonly lastReason: string | null;
  readonly waitingSince: Date | null;
  readonly createdAt: Date;
}

export interface UserFilter {
  readonly nameId?: string | undefined;
  readonly role?: string | undefined;
  readonly license?: string | undefined;
  readonly active?: boolean | undefined;
  readonly reason?: string | undefined;
  readonly cursor?: string | undefined;
  readonly limit: number;
}

const SELECT = {
  id: true,
  nameId: true,
  nameIdLower: true,
  email: true,
  firstName: true,
  lastName: true,
  externalId: true,
  active: true,
  roles: true,
  lastReason: true,
  waitingSince: true,
  createdAt: true,
  allocations: { select: { licenseKey: true, origin: true }, orderBy: { licenseKey: 'asc' } },
} as const satisfies Prisma.UserSelect;

export async function listUsers(db: Db, f: UserFilter): Promise<{ items: UserView[]; nextCursor: string | null }> {
  const where: Prisma.UserWhereInput = {
    ...(f.nameId ? { nameIdLower: { contains: f.nameId.toLowerCase() } } : {}),
    ...(f.role ? { roles: { has: f.role } } : {}),
    ...(f.license ? { allocations: { some: { licenseKey: f.license } } } : {}),
    ...(f.active !== undefined ? { active: f.active } : {}),
    ...(f.reason ? { lastReason: f.reason } : {}),
    ...(f.cursor ? { nameIdLower: { gt: String(decodeCursor(f.cursor, 1)[0]), ...(f.nameId ? { contains: f.nameId.toLowerCase() } : {}) } } : {}),
  };
  const rows = await db.prisma.user.findMany({ where, select: SELECT, orderBy: { nameIdLower: 'asc' }, take: f.limit + 1 });
  const page = rows.slice(0, f.limit);
  const items = await withGroups(db, page);
  const last = page[page.length - 1];
  return { items, nextCursor: rows.length > f.limit && last ? encodeCursor([last.nameIdLower]) : null };
}

export async function getUser(db: Db, ref: string): Promise<UserView> {
  const id = await resolveUserId(db.prisma, ref);
  const row = await db.prisma.user.findUniqueOrThrow({ where: { id }, select: SELECT });
  return (await withGroups(db, [row]))[0]!;
}

type Row = Prisma.UserGetPayload<{ select: typeof SELECT }>;

/** Effective groups of a page of users in two queries (see allocation/groups.ts for the rule). */
async function withGroups(db: Db, rows: readonly Row[]): Promise<UserView[]> {
  const ids = rows.map((r) => r.id);
  const [memberships, scim] = await Promise.all([
    db.prisma.membership.findMany({ where: { userId: { in: ids } }, select: { userId: true, groupName: true, source: true } }),
    db.prisma.scimGroupMember.findMany({ where: { userId: { in: ids } }, select: { userId: true, group: { select: { displayName: true, externalId: true } } } }),
  ]);
  const groups = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
  const bySource = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
  const add = (userId: string, group: string, source: 'saml' | 'scim'): void => {
    groups.get(userId)?.add(group);
    bySource.get(userId)?.add(`${source}\u0000${group}`);
  };
  for (const m of memberships) add(m.userId, m.groupName, m.source);
  for (const { userId, group } of scim) {
    add(userId, group.displayName, 'scim');
    if (group.externalId) add(userId, group.externalId, 'scim');
  }
  return rows.map(({ nameIdLower: _lower, allocations, ...r }) => ({
    ...r,
    groups: [...(groups.get(r.id) ?? [])].sort(),
    memberships: [...(bySource.get(r.id) ?? [])].sort().map((k) => {
      const [source, group] = k.split('\u0000') as ['saml' | 'scim', string];
      return { group, source };
    }),
    licenses: allocations.map((a) => ({ key: a.licenseKey, origin: a.origin })),
  }));
}
