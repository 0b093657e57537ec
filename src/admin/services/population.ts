/**
 * Everything the engine needs to decide every user at once, read in a handful of bulk queries:
 * users in (createdAt, id) order with their effective groups and holdings, pools, settings and
 * mappings. Used by preview, the admin lock-out guard and impact counts; it never writes.
 */
import type { Tx } from '../../db/transaction.js';
import type { HeldLicense, Mapping, Pool } from '../../domain/index.js';
import { loadSettings, type Settings } from '../../allocation/settings.js';
import { loadPools } from '../../allocation/snapshot.js';

export interface Member {
  readonly id: string;
  readonly nameId: string;
  readonly active: boolean;
  readonly createdAt: Date;
  readonly groups: readonly string[];
  readonly current: readonly HeldLicense[];
}

export interface Population {
  readonly users: readonly Member[];
  readonly pools: ReadonlyMap<string, Pool>;
  readonly settings: Settings;
  /** Every mapping, enabled or not (the context drops disabled ones). */
  readonly mappings: readonly Mapping[];
}

/**
 * With `groups`, only users who belong to one of them (compared case-insensitively, a superset of
 * what the engine matches) are loaded: enough when only mappings of those groups change, since
 * nobody else's decision can differ.
 */
export async function loadPopulation(tx: Tx, opts: { groups?: readonly string[] } = {}): Promise<Population> {
  const only = opts.groups ? { id: { in: await membersOf(tx, opts.groups) } } : {};
  const mine = opts.groups ? { userId: only.id } : {};
  const users = await tx.user.findMany({ where: only, select: { id: true, nameId: true, active: true, createdAt: true }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  const memberships = await tx.membership.findMany({ where: mine, select: { userId: true, groupName: true } });
  const scim = await tx.scimGroupMember.findMany({ where: mine, select: { userId: true, group: { select: { displayName: true, externalId: true } } } });
  const allocations = await tx.allocation.findMany({ where: mine, select: { userId: true, licenseKey: true, origin: true }, orderBy: { licenseKey: 'asc' } });
  const pools = await loadPools(tx);
  const settings = await loadSettings(tx);
  const mappings = await tx.groupMapping.findMany({ orderBy: { id: 'asc' } });

  const groups = new Map<string, Set<string>>();
  const add = (userId: string, group: string): void => {
    let set = groups.get(userId);
    if (!set) groups.set(userId, (set = new Set()));
    set.add(group);
  };
  for (const m of memberships) add(m.userId, m.groupName);
  for (const s of scim) {
    add(s.userId, s.group.displayName);
    if (s.group.externalId) add(s.userId, s.group.externalId);
  }
  const held = new Map<string, HeldLicense[]>();
  for (const a of allocations) {
    const list = held.get(a.userId) ?? [];
    list.push({ key: a.licenseKey, origin: a.origin });
    held.set(a.userId, list);
  }
  return {
    users: users.map((u) => ({ ...u, groups: [...(groups.get(u.id) ?? [])].sort(), current: held.get(u.id) ?? [] })),
    pools,
    settings,
    mappings,
  };
}

async function membersOf(tx: Tx, groups: readonly string[]): Promise<string[]> {
  const lowered = [...new Set(groups.map((g) => g.toLowerCase()))];
  if (lowered.length === 0) return [];
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT user_id::text AS id FROM membership WHERE lower(group_name) = ANY(${lowered}::text[])
    UNION
    SELECT m.user_id::text FROM scim_group_member m JOIN scim_group g ON g.id = m.group_id
     WHERE lower(g.display_name) = ANY(${lowered}::text[]) OR lower(g.external_id) = ANY(${lowered}::text[])`;
  return rows.map((r) => r.id);
}
