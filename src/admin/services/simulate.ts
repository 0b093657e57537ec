/**
 * Simulates a full redistribution in memory (SPEC §3 "Redistribution semantics") to preview a
 * change: first release every seat that no longer belongs to its holder (and, on a key whose
 * proposed capacity is below its seats in use, the surplus seats of the holders ranked last), then
 * acquire in (createdAt, id) order. Deterministic: the same data always gives the same result.
 */
import { decide, type Decision, type DecisionContext, type HeldLicense, type Pool } from '../../domain/index.js';
import type { Member } from './population.js';

export interface Simulated {
  readonly user: Member;
  readonly decision: Decision;
  readonly after: readonly HeldLicense[];
}

export function simulate(ctx: DecisionContext, users: readonly Member[], startPools: ReadonlyMap<string, Pool>, redistributeManual: boolean): Simulated[] {
  const pools = new Map([...startPools].map(([k, p]) => [k, { ...p }]));
  const unlimited = new Map([...startPools].map(([k, p]) => [k, { ...p, capacity: Number.MAX_SAFE_INTEGER, used: 0 }]));
  const holding = new Map<string, HeldLicense[]>();

  for (const user of users) {
    const wanted = decide(ctx, subject(user, user.current, redistributeManual), unlimited);
    const released = new Set(wanted.release.map((r) => r.key));
    for (const key of released) bump(pools, key, -1);
    holding.set(user.id, user.current.filter((h) => !released.has(h.key)));
  }
  reclaimSurplus(users, pools, holding);

  return users.map((user) => {
    const current = holding.get(user.id) ?? [];
    const decision = decide(ctx, subject(user, current, redistributeManual), pools);
    for (const r of decision.release) bump(pools, r.key, -1);
    for (const key of decision.acquire) bump(pools, key, +1);
    const released = new Set(decision.release.map((r) => r.key));
    const after = [...current.filter((h) => !released.has(h.key)), ...decision.acquire.map((key) => ({ key, origin: 'mapping' as const }))];
    return { user, decision, after: after.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) };
  });
}

/** Mapping holders lose before manual ones, the most recently created user first (see capacity.ts). */
function reclaimSurplus(users: readonly Member[], pools: Map<string, { used: number; capacity: number }>, holding: Map<string, HeldLicense[]>): void {
  const ranked = [...users].reverse();
  for (const [key, pool] of pools) {
    for (const origin of ['mapping', 'manual'] as const) {
      for (const user of ranked) {
        if (pool.used <= pool.capacity) break;
        const rows = holding.get(user.id) ?? [];
        if (!rows.some((h) => h.key === key && h.origin === origin)) continue;
        holding.set(user.id, rows.filter((h) => h.key !== key));
        pool.used--;
      }
    }
  }
}

function subject(user: Member, current: readonly HeldLicense[], redistributeManual: boolean) {
  return { active: user.active, groups: user.groups, current, redistributeManual };
}

function bump(pools: Map<string, { used: number }>, key: string, by: number): void {
  const p = pools.get(key);
  if (p) p.used += by;
}
