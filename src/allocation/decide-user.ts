/**
 * One user's decision, applied inside the caller's transaction (SPEC §2 applied per §3/§4): lock
 * the user, load groups, holdings, configuration and pools, decide, move seats, record the outcome
 * on the user and write one audit row.
 */
import type { Prisma } from '../generated/prisma/client.js';
import { decide, type Decision, type DecisionContext, type HeldLicense, type Pool } from '../domain/index.js';
import type { Tx } from '../db/transaction.js';
import { writeAudit } from '../audit/write.js';
import { effectiveGroups, loadGroups, type GroupsBySource } from './groups.js';
import { moveSeats } from './seats.js';
import { loadDecisionContext, loadPools } from './snapshot.js';
import { lockUser, type LockedUser } from './user-lock.js';

export interface DecideOptions {
  readonly actor: string;
  readonly action: string;
  readonly redistributeManual?: boolean;
  /** Lock every pool row before reading it (used after a lost seat race, so the retry must win). */
  readonly lockPools?: boolean;
  /** Preloaded configuration (jobs decide many users with one). */
  readonly context?: DecisionContext;
  /** Audit even when nothing moved (default true: a login is worth a trail). */
  readonly auditUnchanged?: boolean;
  /** Holdings before an earlier step of the same transaction (a manual edit), for the audit row. */
  readonly before?: readonly HeldLicense[];
  readonly now: Date;
}

export interface UserDecision {
  readonly user: LockedUser;
  readonly groups: GroupsBySource;
  readonly decision: Decision;
  readonly before: readonly HeldLicense[];
  readonly after: readonly HeldLicense[];
  readonly changed: boolean;
}

export interface Evaluation {
  readonly groups: GroupsBySource;
  readonly current: HeldLicense[];
  readonly pools: Map<string, Pool>;
  readonly decision: Decision;
}

/** Loads everything and decides without writing (also what `explain` shows). */
export async function evaluateUser(
  tx: Tx,
  user: { id: string; active: boolean },
  opts: { redistributeManual?: boolean; lockPools?: boolean; context?: DecisionContext },
): Promise<Evaluation> {
  const [groups, current, context, pools] = await Promise.all([
    loadGroups(tx, user.id),
    loadHoldings(tx, user.id),
    opts.context ? Promise.resolve(opts.context) : loadDecisionContext(tx),
    loadPools(tx, opts.lockPools),
  ]);
  const decision = decide(
    context,
    { active: user.active, groups: effectiveGroups(groups), current, redistributeManual: opts.redistributeManual ?? false },
    pools,
  );
  return { groups, current, pools, decision };
}

export async function decideUserInTx(tx: Tx, userId: string, opts: DecideOptions): Promise<UserDecision> {
  const user = await lockUser(tx, userId);
  const { groups, current, pools, decision } = await evaluateUser(tx, user, opts);
  const kinds = new Map([...pools.values()].map((p) => [p.key, p.kind]));
  await moveSeats(tx, user.id, { release: decision.release, acquire: decision.acquire.map((key) => ({ key, origin: 'mapping' })) }, kinds);
  const after = holdingsAfter(current, decision);
  const before = opts.before ?? current;
  const changed = decision.acquire.length > 0 || decision.release.length > 0 || opts.before !== undefined;
  await tx.user.update({
    where: { id: user.id },
    data: {
      roles: [...decision.roles],
      lastReason: decision.reason,
      lastTrace: decision.trace as unknown as Prisma.InputJsonValue,
      lastDecidedAt: opts.now,
      waitingSince: decision.waiting ? (user.waitingSince ?? opts.now) : null,
    },
  });
  if (changed || (opts.auditUnchanged ?? true)) {
    await writeAudit(tx, {
      actor: opts.actor,
      action: opts.action,
      userId: user.id,
      subject: user.nameId,
      reason: decision.reason,
      before,
      after,
      trace: decision.trace,
    });
  }
  return { user, groups, decision, before, after, changed };
}

export async function loadHoldings(tx: Tx, userId: string): Promise<HeldLicense[]> {
  const rows = await tx.allocation.findMany({ where: { userId }, select: { licenseKey: true, origin: true }, orderBy: { licenseKey: 'asc' } });
  return rows.map((r) => ({ key: r.licenseKey, origin: r.origin }));
}

function holdingsAfter(current: readonly HeldLicense[], decision: Decision): HeldLicense[] {
  const released = new Set(decision.release.map((r) => `${r.origin}:${r.key}`));
  const kept = current.filter((h) => !released.has(`${h.origin}:${h.key}`));
  const added = decision.acquire.map((key) => ({ key, origin: 'mapping' as const }));
  return [...kept, ...added].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
