/**
 * One user's decision, applied inside the caller's transaction (SPEC §2 applied per §3/§4): lock
 * the user, load groups, holdings, configuration and pools, decide, move seats, record the outcome
 * on the user and write one audit row.
 */
import { Prisma } from '../generated/prisma/client.js';
import { decide, type Decision, type DecisionContext, type HeldLicense, type Pool } from '../domain/index.js';
import type { Tx } from '../db/transaction.js';
import type { SqlTx } from '../db/sql-tx.js';
import { auditInsertSql } from '../audit/write.js';
import type { ContextCache } from './context-cache.js';
import { loadDecisionInputs } from './decision-inputs.js';
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
  /** Without `context`: the per-process cache, keyed by the revision read with the other inputs. */
  readonly contexts?: ContextCache;
  /**
   * The user's row as the caller already locked it in this transaction (the login's upsert holds
   * the row lock of INSERT … ON CONFLICT DO UPDATE); lockUser is then not repeated.
   */
  readonly locked?: LockedUser;
  /** Replace the user's `saml` memberships with these groups first (a login), in the statement that reads the inputs. */
  readonly samlGroups?: readonly string[];
  /** Audit even when nothing moved (default true: a login is worth a trail). */
  readonly auditUnchanged?: boolean;
  /**
   * Another write for the statement that records the decision (a login's session row), when the
   * caller wants it for this decision: one round trip instead of two.
   */
  readonly alsoWrite?: (decision: Decision) => Prisma.Sql | undefined;
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

export async function decideUserInTx(tx: SqlTx, userId: string, opts: DecideOptions): Promise<UserDecision> {
  const user = opts.locked ?? (await lockUser(tx, userId));
  // One statement for groups, holdings, pools and the settings revision (decision-inputs.ts).
  const inputs = await loadDecisionInputs(tx, user.id, !opts.lockPools, opts.samlGroups);
  const { groups, current } = inputs;
  const [context, pools] = await Promise.all([
    opts.context ?? (opts.contexts ? opts.contexts.forKey(tx, inputs.revisionKey) : loadDecisionContext(tx)),
    inputs.pools ?? loadPools(tx, true),
  ]);
  const decision = decide(
    context,
    { active: user.active, groups: effectiveGroups(groups), current, redistributeManual: opts.redistributeManual ?? false },
    pools,
  );
  const kinds = new Map([...pools.values()].map((p) => [p.key, p.kind]));
  await moveSeats(tx, user.id, { release: decision.release, acquire: decision.acquire.map((key) => ({ key, origin: 'mapping' })) }, kinds);
  const after = holdingsAfter(current, decision);
  const before = opts.before ?? current;
  const changed = decision.acquire.length > 0 || decision.release.length > 0 || opts.before !== undefined;
  // The trace is serialised once: the user row and the audit row carry the same document.
  const traceJson = JSON.stringify(decision.trace);
  const updateUser = Prisma.sql`UPDATE app_user SET roles = ${[...decision.roles]}::text[], last_reason = ${decision.reason},
      last_trace = ${traceJson}::jsonb, last_decided_at = ${opts.now}, waiting_since = ${decision.waiting ? (user.waitingSince ?? opts.now) : null},
      updated_at = ${new Date()}
    WHERE id = ${user.id}::uuid`;
  const also = opts.alsoWrite?.(decision);
  const alsoCte = also ? Prisma.sql`, also AS (${also})` : Prisma.empty;
  if (changed || (opts.auditUnchanged ?? true)) {
    // User row and audit row (and the caller's write) in one statement (one round trip).
    const audit = auditInsertSql(
      { actor: opts.actor, action: opts.action, userId: user.id, subject: user.nameId, reason: decision.reason, before, after },
      traceJson,
    );
    await tx.$executeRaw`WITH updated AS (${updateUser})${alsoCte} ${audit}`;
  } else {
    await tx.$executeRaw(also ? Prisma.sql`WITH also AS (${also}) ${updateUser}` : updateUser);
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
