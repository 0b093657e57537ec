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

export async function loadPopulation(tx: Tx): Promise<Population> {
  const users = await tx.user.findMany({ select: { id: true, nameId: true, active: true, createdAt: true }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  const memberships = await tx.membership.findMany({ select: { userId: true, groupName: true } });
  const scim = await tx.scimGroupMember.findMany({ select: { userId: true, group: { select: { displayName: true, externalId: true } } } });
  const allocations = await tx.allocation.findMany({ select: { userId: true, licenseKey: true, origin: true }, orderBy: { licenseKey: 'asc' } });
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
