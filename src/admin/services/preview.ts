/**
 * Mapping preview (SPEC §3 admin row, §6): a proposed mapping set or a single create, update or
 * delete, and/or capacity, preference-order or policy changes, decided for every user with the
 * pure engine without writing anything. Answers the per-user before/after of users whose
 * licenses change, per-license seat totals and the active users who would end with no license.
 */
import type { Db } from '../../db/client.js';
import { withTx } from '../../db/transaction.js';
import type { HeldLicense, Mapping } from '../../domain/index.js';
import { planRedistribution } from '../../domain/plan-redistribution.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import type { MappingChange, PreviewInput } from '../schemas.js';
import { contextOf, impactOf } from './impact.js';
import { checkMapping, checkMappingSet } from './mapping-rules.js';
import { licenseKinds, refuse } from './mappings.js';
import { loadPopulation } from './population.js';

export interface Preview {
  readonly users: { id: string; nameId: string; reason: string; before: readonly HeldLicense[]; after: readonly HeldLicense[]; missing: readonly string[] }[];
  readonly licenses: { key: string; capacity: number; usedBefore: number; usedAfter: number; acquired: number; released: number }[];
  readonly noLicense: { id: string; nameId: string; reason: string }[];
  readonly summary: { users: number; changed: number; noLicense: number; adminsBefore: number; adminsAfter: number; reasons: Record<string, number> };
}

export async function previewChange(db: Db, input: PreviewInput): Promise<Preview> {
  // One snapshot: pools, holdings and memberships read at the same instant agree with each other.
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
    // The redistribution planner the job runner uses, so the preview is what a run would do.
    const plan = planRedistribution({
      context: contextOf(pop, proposal),
      pools: pop.pools,
      users: pop.users,
      redistributeManual: input.redistributeManual,
      ...(input.capacity ? { capacity: input.capacity } : {}),
    });
    const { adminsBefore, adminsAfter } = impactOf(pop, proposal);
    const byId = new Map(pop.users.map((u) => [u.id, u]));

    const users: Preview['users'] = [];
    const noLicense: Preview['noLicense'] = [];
    for (const p of plan.users) {
      const user = byId.get(p.id)!;
      if (p.changed) users.push({ id: p.id, nameId: user.nameId, reason: p.decision.reason, before: p.before, after: p.after, missing: p.decision.missing });
      if (user.active && p.after.length === 0) noLicense.push({ id: p.id, nameId: user.nameId, reason: p.decision.reason });
    }
    return {
      users,
      licenses: plan.licenses.map((l) => ({ ...l })),
      noLicense,
      summary: {
        users: pop.users.filter((u) => u.active).length,
        changed: users.length,
        noLicense: noLicense.length,
        adminsBefore,
        adminsAfter,
        reasons: plan.totals.reasons,
      },
    };
  }, { isolation: 'RepeatableRead' });
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
