/**
 * The allocation application service (SPEC §3, §4): runs decisions in one transaction each,
 * retries lost seat races and database conflicts a bounded number of times, counts outcomes in
 * metrics and, once a commit frees seats or leaves someone waiting, grants the waitlist.
 */
import type { Db } from '../db/client.js';
import { withSqlTx, withTx, type Tx, type TxOptions } from '../db/transaction.js';
import type { SqlTx } from '../db/sql-tx.js';
import type { Decision, Trace } from '../domain/index.js';
import type { Metrics } from '../http/metrics.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { resolveUserId } from '../users/resolve.js';
import { decideUserInTx, evaluateUser, loadHoldings, type DecideOptions, type UserDecision } from './decide-user.js';
import { lockUser } from './user-lock.js';
import { loadPools } from './snapshot.js';
import { createContextCache } from './context-cache.js';
import { assignManual, revokeManual } from './manual.js';
import { SeatRaceError } from './seats.js';
import { grantWaiting } from './waitlist.js';

export interface ServiceDeps {
  readonly db: Db;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
}

export interface Actor {
  readonly actor: string;
  readonly action: string;
}

export type DecisionFlags = Actor & Partial<Pick<DecideOptions, 'redistributeManual' | 'auditUnchanged' | 'context' | 'before' | 'locked' | 'samlGroups' | 'alsoWrite'>>;

/** Passed to a decision transaction: `lockPools` is set on the attempt after a lost seat race. */
export interface Attempt {
  readonly lockPools: boolean;
  readonly now: Date;
}

export interface Explanation {
  readonly userId: string;
  readonly nameId: string;
  readonly current: { readonly reason: Decision['reason']; readonly roles: readonly string[]; readonly target: readonly string[]; readonly trace: Trace };
  readonly last: { readonly reason: string | null; readonly trace: unknown; readonly decidedAt: Date | null } | null;
}

export interface AllocationService {
  /**
   * Runs `fn` in one decision transaction (retried as a whole after a lost seat race or a
   * deadlock); SAML and SCIM create/update the user inside `fn` and call decideInTx there.
   * Decisions it returns feed the waitlist after the commit.
   */
  transaction<T>(operation: string, fn: (tx: Tx, attempt: Attempt) => Promise<T>, decided?: (result: T) => readonly UserDecision[]): Promise<T>;
  /**
   * The same for a `fn` that only sends raw statements: on PostgreSQL it runs on a pg connection
   * without the Prisma client (the login, db/sql-tx.ts); on PGlite through Prisma.
   */
  sqlTransaction<T>(operation: string, fn: (tx: SqlTx, attempt: Attempt) => Promise<T>, decided?: (result: T) => readonly UserDecision[]): Promise<T>;
  decideInTx(tx: SqlTx, userId: string, attempt: Attempt, opts: DecisionFlags): Promise<UserDecision>;
  decideUser(userRef: string, opts: Actor & { redistributeManual?: boolean }): Promise<UserDecision>;
  assign(userRef: string, key: string, actor: string): Promise<UserDecision>;
  revoke(userRef: string, key: string, actor: string): Promise<UserDecision>;
  explain(userRef: string): Promise<Explanation>;
  /** Grants waiting users who missed one of `keys` (after a capacity raise, say). */
  grantWaiting(keys: readonly string[]): Promise<number>;
}

const SEAT_RACE_ATTEMPTS = 3;

export function createAllocationService(deps: ServiceDeps): AllocationService {
  const { db, metrics, clock, logger } = deps;
  const contexts = createContextCache();

  type Run<X> = <T>(fn: (tx: X) => Promise<T>, opts: TxOptions) => Promise<T>;
  const prismaRun: Run<Tx> = (fn, opts) => withTx(db, fn, opts);
  const sqlRun: Run<SqlTx> = (fn, opts) => withSqlTx(db, fn, opts);

  /** One transaction, retried as a whole after a lost seat race (the retry locks the pools first). */
  async function seatRaceRetried<X, T>(run: Run<X>, operation: string, fn: (tx: X, attempt: Attempt) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const a: Attempt = { lockPools: attempt > 0, now: clock.now() };
        return await run((tx) => fn(tx, a), { onRetry: (_n, _e, reason) => metrics.txRetries.inc({ operation, reason }) });
      } catch (e) {
        if (!(e instanceof SeatRaceError) || attempt + 1 >= SEAT_RACE_ATTEMPTS) throw e;
        metrics.txRetries.inc({ operation, reason: 'seat-race' });
      }
    }
  }

  /** A decision transaction; then metrics and the waitlist. */
  async function decisionTransaction<X, T>(run: Run<X>, operation: string, fn: (tx: X, attempt: Attempt) => Promise<T>, decided?: (r: T) => readonly UserDecision[]): Promise<T> {
    const result = await seatRaceRetried(run, operation, fn);
    const decisions = decided ? decided(result) : [];
    for (const d of decisions) record(d, operation);
    await followUp(decisions);
    return result;
  }

  const transaction = <T>(operation: string, fn: (tx: Tx, attempt: Attempt) => Promise<T>, decided?: (r: T) => readonly UserDecision[]): Promise<T> =>
    decisionTransaction(prismaRun, operation, fn, decided);

  function record(d: UserDecision, trigger: string): void {
    metrics.decisions.inc({ reason: d.decision.reason, trigger });
    for (const key of d.decision.acquire) metrics.allocations.inc({ license: key, change: 'acquire' });
    for (const r of d.decision.release) metrics.allocations.inc({ license: r.key, change: 'release' });
  }

  /** Freed keys wake the waitlist; a user left waiting re-checks in case a seat freed meanwhile. */
  async function followUp(decisions: readonly UserDecision[]): Promise<void> {
    const keys = new Set<string>();
    for (const d of decisions) {
      for (const r of d.before) if (!d.after.some((a) => a.key === r.key)) keys.add(r.key);
      for (const k of d.decision.missing) keys.add(k);
    }
    if (keys.size === 0) return;
    try {
      await grantWaiting({ db, decide: decideWaiting }, [...keys]);
    } catch (e) {
      logger.warn('waitlist grant failed; it will run again at the next release', { error: (e as Error).message });
    }
  }

  async function decideWaiting(userId: string): Promise<boolean> {
    const d = await runOne('waitlist', (tx, a) => decideInTx(tx, userId, a, { actor: 'system:waitlist', action: 'waitlist.grant', auditUnchanged: false }));
    return !d.decision.waiting;
  }

  /** One decision transaction without follow-up (the waitlist itself uses it). */
  async function runOne(operation: string, fn: (tx: SqlTx, a: Attempt) => Promise<UserDecision>): Promise<UserDecision> {
    const d = await seatRaceRetried(sqlRun, operation, fn);
    record(d, operation);
    return d;
  }

  async function decideInTx(tx: SqlTx, userId: string, attempt: Attempt, opts: DecisionFlags): Promise<UserDecision> {
    return decideUserInTx(tx, userId, { ...opts, contexts, lockPools: attempt.lockPools, now: attempt.now });
  }

  const single = (d: UserDecision): readonly UserDecision[] => [d];

  return {
    transaction,
    sqlTransaction: (operation, fn, decided) => decisionTransaction(sqlRun, operation, fn, decided),
    decideInTx,
    async decideUser(userRef, opts) {
      const userId = await resolveUserId(db.prisma, userRef);
      return transaction(opts.action, (tx, a) => decideInTx(tx, userId, a, opts), single);
    },
    async assign(userRef, key, actor) {
      const userId = await resolveUserId(db.prisma, userRef);
      return transaction(
        'manual',
        async (tx, a) => {
          await lockUser(tx, userId);
          // A manual edit releases one pool and takes another out of key order; locking every
          // pool row in key order first keeps it from deadlocking with batches and logins.
          await loadPools(tx, true);
          const before = await loadHoldings(tx, userId);
          await assignManual(tx, userId, key);
          return decideInTx(tx, userId, a, { actor, action: 'user.license.assign', before });
        },
        single,
      );
    },
    async revoke(userRef, key, actor) {
      const userId = await resolveUserId(db.prisma, userRef);
      return transaction(
        'manual',
        async (tx, a) => {
          await lockUser(tx, userId);
          await loadPools(tx, true);
          const before = await loadHoldings(tx, userId);
          await revokeManual(tx, userId, key);
          return decideInTx(tx, userId, a, { actor, action: 'user.license.revoke', before });
        },
        single,
      );
    },
    async explain(userRef) {
      const userId = await resolveUserId(db.prisma, userRef);
      return withTx(db, async (tx) => {
        const user = await tx.user.findUniqueOrThrow({ where: { id: userId } });
        const { decision } = await evaluateUser(tx, user, { context: await contexts.get(tx) });
        return {
          userId: user.id,
          nameId: user.nameId,
          current: { reason: decision.reason, roles: decision.roles, target: decision.target, trace: decision.trace },
          last: user.lastDecidedAt ? { reason: user.lastReason, trace: user.lastTrace, decidedAt: user.lastDecidedAt } : null,
        };
      });
    },
    grantWaiting: (keys) => grantWaiting({ db, decide: decideWaiting }, keys),
  };
}
