/**
 * Mapping preview (SPEC §3 admin row, §6): a proposed mapping set or a single create, update or
 * delete, and/or capacity, preference-order or policy changes, decided for every user with the
 * pure engine without writing anything. Answers the per-user before/after of users whose
 * licenses change, per-license seat totals and the active users who would end with no license.
 */
import type { Db } from '../../db/client.js';
import { withTx } from '../../db/transaction.js';
import type { HeldLicense, Mapping, Pool } from '../../domain/index.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import type { MappingChange, PreviewInput } from '../schemas.js';
import { contextOf, impactOf } from './impact.js';
import { checkMapping, checkMappingSet } from './mapping-rules.js';
import { licenseKinds, refuse } from './mappings.js';
import { loadPopulation } from './population.js';
import { simulate } from './simulate.js';

export interface Preview {
  readonly users: { id: string; nameId: string; reason: string; before: readonly HeldLicense[]; after: readonly HeldLicense[]; missing: readonly string[] }[];
  readonly licenses: { key: string; capacity: number; usedBefore: number; usedAfter: number }[];
  readonly noLicense: { id: string; nameId: string; reason: string }[];
  readonly summary: { users: number; changed: number; noLicense: number; adminsBefore: number; adminsAfter: number };
}

export async function previewChange(db: Db, input: PreviewInput): Promise<Preview> {
  return withTx(db, async (tx) => {
    const pop = await loadPopulation(tx);
    const kinds = await licenseKinds(tx);
    const mappings = input.mappings
      ? (refuse(checkMappingSet(input.mappings, kinds)), input.mappings.map((m, i) => ({ id: `proposed-${String(i).padStart(6, '0')}`, ...m })))
      : input.change
        ? applyChange(pop.mappings, input.change, kinds)
        : pop.mappings;
    checkKeys('capacity', Object.keys(input.capacity ?? {}), kinds);
    checkKeys('preferenceOrder', input.preferenceOrder ?? [], kinds);
    if (input.policy) checkKeys('policy.adminLicense', [input.policy.adminLicense], kinds);

    const proposal = { mappings, ...(input.policy ? { policy: input.policy } : {}), ...(input.preferenceOrder ? { preferenceOrder: input.preferenceOrder } : {}) };
    const pools = new Map<string, Pool>([...pop.pools].map(([k, p]) => [k, { ...p, capacity: input.capacity?.[k] ?? p.capacity }]));
    const results = simulate(contextOf(pop, proposal), pop.users, pools, input.redistributeManual);
    const { adminsBefore, adminsAfter } = impactOf(pop, proposal);

    const usedAfter = new Map<string, number>();
    const users: Preview['users'] = [];
    const noLicense: Preview['noLicense'] = [];
    for (const { user, decision, after } of results) {
      for (const h of after) usedAfter.set(h.key, (usedAfter.get(h.key) ?? 0) + 1);
      if (!sameHoldings(user.current, after)) {
        users.push({ id: user.id, nameId: user.nameId, reason: decision.reason, before: user.current, after, missing: decision.missing });
      }
      if (user.active && after.length === 0) noLicense.push({ id: user.id, nameId: user.nameId, reason: decision.reason });
    }
    return {
      users,
      licenses: [...pools.values()]
        .sort((a, b) => (a.key < b.key ? -1 : 1))
        .map((p) => ({ key: p.key, capacity: p.capacity, usedBefore: pop.pools.get(p.key)?.used ?? 0, usedAfter: usedAfter.get(p.key) ?? 0 })),
      noLicense,
      summary: { users: pop.users.filter((u) => u.active).length, changed: users.length, noLicense: noLicense.length, adminsBefore, adminsAfter },
    };
  });
}

function applyChange(current: readonly Mapping[], change: MappingChange, kinds: Parameters<typeof checkMapping>[1]): Mapping[] {
  switch (change.op) {
    case 'create':
      refuse(checkMapping(change.mapping, kinds));
      return [...current, { id: 'proposed', ...change.mapping }];
    case 'update': {
      const before = current.find((m) => m.id === change.id);
      if (!before) throw new NotFoundError('mapping', change.id);
      const next = { ...before, ...Object.fromEntries(Object.entries(change.patch).filter(([, v]) => v !== undefined)) };
      refuse(checkMapping(next, kinds));
      return current.map((m) => (m.id === change.id ? next : m));
    }
    case 'delete':
      if (!current.some((m) => m.id === change.id)) throw new NotFoundError('mapping', change.id);
      return current.filter((m) => m.id !== change.id);
  }
}

function checkKeys(path: string, keys: readonly string[], kinds: ReadonlyMap<string, unknown>): void {
  const i = keys.findIndex((k) => !kinds.has(k));
  if (i >= 0) throw new ValidationError(`${path}: unknown license ${keys[i]}`, [{ path, message: `unknown license ${keys[i]}` }]);
}

function sameHoldings(a: readonly HeldLicense[], b: readonly HeldLicense[]): boolean {
  const key = (l: readonly HeldLicense[]) => l.map((h) => `${h.key}:${h.origin}`).sort().join();
  return key(a) === key(b);
}
