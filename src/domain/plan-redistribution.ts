/**
 * Deterministic redistribution (SPEC §3 "Redistribution semantics"), pure: the outcome depends
 * only on the users, the configuration and the pools, never on batch size or input order.
 *
 * Steps, each a pure function the job runner also calls batch by batch:
 *  1. release (`releaseStep`): every user gives back the rows that are theirs under no seat
 *     availability at all: what decide() would not keep even if every pool were unlimited;
 *     so a swap of licences between users never fails for lack of a seat.
 *  2. evict (`planEvictions`): only when the run lowers capacities; the youngest holders of an
 *     over-full pool give their seat back, mapping-origin rows before manual ones.
 *  3. acquire (`acquireStep`): users still holding a seat (holders) are decided first, then
 *     everyone else, each group in (createdAt, id) order, one decide() after the other against
 *     the seats the previous decisions left. Holders always keep their own seat (SPEC §2 step 6)
 *     when their bundle still fits, and deciding them first means no newcomer can take the
 *     add-on seat a holder's bundle needs.
 */
import { decide } from './decide.js';
import type { DecisionContext } from './context.js';
import { countDecision, countEviction, createTotals, sameHoldings, type RedistributionTotals } from './plan-totals.js';
import { createLedger, ledgerApply, ledgerRelease, ledgerSetCapacity, unlimitedPools, type SeatLedger } from './seat-ledger.js';
import { compareStrings, EMPTY } from './sorted.js';
import type { Decision, HeldLicense, Pool } from './types.js';

/** One user as a redistribution sees them. */
export interface PlanUser {
  readonly id: string;
  /** Seniority: contended seats go to earlier users (ties by id). */
  readonly createdAt: Date;
  readonly active: boolean;
  /** Effective groups (saml ∪ scim). */
  readonly groups: readonly string[];
  /** What the user holds before the run. */
  readonly current: readonly HeldLicense[];
}

export interface RedistributionInput {
  /** Compiled mappings, policy and preference order (createDecisionContext). */
  readonly context: DecisionContext;
  /** Pools before the run; `used` counts every holder, in scope or not. */
  readonly pools: ReadonlyMap<string, Pool>;
  /** The users in scope, in any order. */
  readonly users: readonly PlanUser[];
  /** SPEC §2 step 8: revoke manual rows and treat their holders like everyone else. */
  readonly redistributeManual: boolean;
  /** Capacities the run lowers to (an administrator's forced capacity cut), by licence key. */
  readonly capacity?: Readonly<Record<string, number>>;
}

export interface PlannedUser {
  readonly id: string;
  /** Decided among the holders (first) or among the others. */
  readonly group: 'holders' | 'others';
  readonly before: readonly HeldLicense[];
  /** Rows given back by the release step and by evictions, before the final decision (the
   * decision's own release list also names the former, not the latter). */
  readonly released: readonly HeldLicense[];
  /** The final decision (reason, trace), taken against the seats left at that point. */
  readonly decision: Decision;
  readonly after: readonly HeldLicense[];
  readonly changed: boolean;
}

export interface LicenseTotals {
  readonly key: string;
  readonly capacity: number;
  readonly usedBefore: number;
  readonly usedAfter: number;
  readonly acquired: number;
  readonly released: number;
}

export interface RedistributionPlan {
  /** Every user in (createdAt, id) order. */
  readonly users: readonly PlannedUser[];
  /** Every pool by key, with its capacity after the run. */
  readonly licenses: readonly LicenseTotals[];
  readonly totals: RedistributionTotals;
}

/** (createdAt, id): the seniority order of SPEC §3. */
export function compareSeniority(a: Pick<PlanUser, 'createdAt' | 'id'>, b: Pick<PlanUser, 'createdAt' | 'id'>): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || compareStrings(a.id, b.id);
}

/**
 * Step 1 for one user: the rows to give back before any seat is handed out. `unlimited` is
 * unlimitedPools(pools), computed once by the caller. With fallbackToNextPreference every
 * candidate primary may still be granted, so none of them is released here.
 */
export function releaseStep(
  ctx: DecisionContext,
  user: Pick<PlanUser, 'active' | 'groups' | 'current'>,
  redistributeManual: boolean,
  unlimited: ReadonlyMap<string, Pool>,
): readonly HeldLicense[] {
  if (user.current.length === 0) return EMPTY;
  const d = decide(ctx, { active: user.active, groups: user.groups, current: user.current, redistributeManual }, unlimited);
  if (d.release.length === 0 || !user.active) return d.release;
  const keep = new Set(d.target);
  if (ctx.policy.fallbackToNextPreference) for (const c of d.trace.candidates) keep.add(c.key);
  // A revoked manual row whose key stays wanted is converted by the final decision, seat kept.
  return d.release.filter((row) => !keep.has(row.key));
}

/**
 * Step 2: rows to evict so that every pool fits the lowered capacity, by user id. Holders are
 * evicted youngest first, mapping-origin rows before manual ones. `ledger` is the pools after
 * step 1; when the users given do not hold enough rows, every row they hold is evicted.
 */
export function planEvictions(
  users: readonly Pick<PlanUser, 'id' | 'createdAt' | 'current'>[],
  ledger: ReadonlyMap<string, Pool>,
  capacity: Readonly<Record<string, number>>,
): Map<string, HeldLicense[]> {
  const out = new Map<string, HeldLicense[]>();
  for (const key of Object.keys(capacity).sort(compareStrings)) {
    const pool = ledger.get(key);
    const over = pool === undefined ? 0 : pool.used - (capacity[key] as number);
    if (over <= 0) continue;
    const holders: { user: Pick<PlanUser, 'id' | 'createdAt'>; row: HeldLicense }[] = [];
    for (const user of users) for (const row of user.current) if (row.key === key) holders.push({ user, row });
    holders.sort((a, b) => compareEviction(a.row, b.row) || compareSeniority(b.user, a.user));
    for (const { user, row } of holders.slice(0, over)) {
      const rows = out.get(user.id);
      if (rows) rows.push(row);
      else out.set(user.id, [row]);
    }
  }
  return out;
}

/** Mapping-origin rows go first: an administrator's manual grant is the last to be cut. */
export function compareEviction(a: HeldLicense, b: HeldLicense): number {
  return a.origin === b.origin ? 0 : a.origin === 'mapping' ? -1 : 1;
}

/**
 * Step 3 for one user: decide against the ledger and take the seats (the ledger is updated).
 * `current` is what the user held before the run minus evicted rows: rows the release step gave
 * back are never part of a bundle the user may get, so deciding with them yields the same
 * bundles, and the decision (reason, release list, trace) describes the whole run for the user.
 * `releasedEarly` are those rows; their seats are already back in the ledger. The caller orders
 * users: holders first, then the others, each in seniority order.
 */
export function acquireStep(
  ctx: DecisionContext,
  user: Pick<PlanUser, 'active' | 'groups' | 'current'>,
  redistributeManual: boolean,
  ledger: SeatLedger,
  releasedEarly: readonly HeldLicense[] = EMPTY,
): Decision {
  const d = decide(ctx, { active: user.active, groups: user.groups, current: user.current, redistributeManual }, ledger);
  ledgerApply(ledger, releasedEarly.length === 0 ? d : { release: withoutRows(d.release, releasedEarly), acquire: d.acquire });
  return d;
}

/** Rows held after a decision: current minus released, plus acquired (mapping origin), by key. */
export function holdingsAfter(current: readonly HeldLicense[], decision: Pick<Decision, 'release' | 'acquire'>): HeldLicense[] {
  return withoutRows(current, decision.release)
    .concat(decision.acquire.map((key) => ({ key, origin: 'mapping' as const })))
    .sort((a, b) => compareStrings(a.key, b.key));
}

/** `rows` minus `removed` (same key and origin). */
export function withoutRows(rows: readonly HeldLicense[], removed: readonly HeldLicense[]): HeldLicense[] {
  if (removed.length === 0) return [...rows];
  return rows.filter((row) => !removed.some((r) => r.key === row.key && r.origin === row.origin));
}

/**
 * Plans a whole redistribution in memory (SPEC §3), e.g. for a preview. `batchSize` only splits
 * the work the way the job runner does; the result is the same for every value.
 */
export function planRedistribution(input: RedistributionInput, opts: { batchSize?: number } = {}): RedistributionPlan {
  const { context: ctx, redistributeManual } = input;
  const batch = Math.max(1, opts.batchSize ?? Number.MAX_SAFE_INTEGER);
  const users = [...input.users].sort(compareSeniority);
  const ledger = createLedger(input.pools);
  const totals = createTotals();
  const unlimited = unlimitedPools(input.pools);

  const early = new Map<string, readonly HeldLicense[]>();
  const evicted = new Map<string, readonly HeldLicense[]>();
  const held = new Map<string, readonly HeldLicense[]>();
  for (const chunk of chunks(users, batch)) {
    for (const user of chunk) {
      const rows = releaseStep(ctx, user, redistributeManual, unlimited);
      early.set(user.id, rows);
      held.set(user.id, withoutRows(user.current, rows));
      ledgerRelease(ledger, rows);
    }
  }
  if (input.capacity) {
    const holding = users.map((u) => ({ id: u.id, createdAt: u.createdAt, current: held.get(u.id) ?? EMPTY }));
    for (const [id, rows] of planEvictions(holding, ledger, input.capacity)) {
      evicted.set(id, rows);
      held.set(id, withoutRows(held.get(id) ?? EMPTY, rows));
      ledgerRelease(ledger, rows);
    }
    for (const [key, cap] of Object.entries(input.capacity)) ledgerSetCapacity(ledger, key, cap);
  }

  const planned = new Map<string, PlannedUser>();
  const holders = users.filter((u) => (held.get(u.id) ?? EMPTY).length > 0);
  const others = users.filter((u) => (held.get(u.id) ?? EMPTY).length === 0);
  for (const [group, list] of [['holders', holders], ['others', others]] as const) {
    for (const chunk of chunks(list, batch)) {
      for (const user of chunk) {
        const gone = evicted.get(user.id) ?? EMPTY;
        const current = withoutRows(user.current, gone);
        const releasedEarly = early.get(user.id) ?? EMPTY;
        const decision = acquireStep(ctx, { ...user, current }, redistributeManual, ledger, releasedEarly);
        const after = holdingsAfter(current, decision);
        countEviction(totals, gone);
        countDecision(totals, decision.reason, current, after);
        const released = releasedEarly.concat(gone);
        planned.set(user.id, { id: user.id, group, before: user.current, released, decision, after, changed: !sameHoldings(user.current, after) });
      }
    }
  }
  return { users: users.map((u) => planned.get(u.id) as PlannedUser), licenses: licenseTotals(input.pools, ledger, totals), totals };
}

function licenseTotals(before: ReadonlyMap<string, Pool>, after: ReadonlyMap<string, Pool>, totals: RedistributionTotals): LicenseTotals[] {
  return [...after.values()]
    .sort((a, b) => compareStrings(a.key, b.key))
    .map((pool) => ({
      key: pool.key,
      capacity: pool.capacity,
      usedBefore: before.get(pool.key)?.used ?? 0,
      usedAfter: pool.used,
      acquired: totals.licenses[pool.key]?.acquired ?? 0,
      released: totals.licenses[pool.key]?.released ?? 0,
    }));
}

function* chunks<T>(items: readonly T[], size: number): Generator<readonly T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
