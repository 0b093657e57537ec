/**
 * Just-in-time provisioning at the ACS (SPEC §3 "SAML login"), in ONE decision transaction:
 * record the assertion id, find or create the user (creation only if a matched mapping has
 * autoProvision), update the attributes, replace the `saml` memberships, decide, start the session.
 * A login that must not create or change anything rolls back and is audited on its own.
 * Every statement is raw SQL, so on PostgreSQL the login runs without the Prisma client (sql-tx.ts).
 */
import type { Prisma } from '../generated/prisma/client.js';
import type { AllocationService } from '../allocation/service.js';
import type { UserDecision } from '../allocation/decide-user.js';
import type { Decision } from '../domain/index.js';
import { loadSettings } from '../allocation/settings.js';
import { auditInsertSql } from '../audit/write.js';
import type { Db } from '../db/client.js';
import type { SqlTx } from '../db/sql-tx.js';
import { withSqlTx } from '../db/transaction.js';
import type { Clock } from '../shared/clock.js';
import { refuse } from './checks/refusal.js';
import type { Identity } from './profile.js';
import { assertionRecordSql } from './replay-cache.js';
import { upsertLoginUser } from './login-rows.js';

/** Business outcomes that end in the 403 page (not SAML refusals: the response itself was fine). */
export type DeniedReason = 'NO_MAPPING' | 'DEACTIVATED' | 'GROUPS_OVERAGE' | 'NOT_PROVISIONED';

export type LoginOutcome =
  | { readonly kind: 'allowed'; readonly userId: string; readonly decision: UserDecision }
  | { readonly kind: 'denied'; readonly reason: DeniedReason; readonly userId: string | null };

/** Thrown inside the transaction to roll it back; carries the outcome out. */
class Rollback extends Error {
  constructor(readonly outcome: LoginOutcome) {
    super(outcome.kind);
  }
}

/** What the ACS writes with the login, in its transaction. */
export interface LoginWrites {
  /**
   * The accepted assertion's id for the replay cache (issue 5 check 12), recorded in the user's
   * upsert statement; a live record of it refuses the login (REPLAY) and rolls everything back.
   * A denied login records it with its audit row.
   */
  readonly assertion?: { readonly id: string; readonly expiresAt: Date };
  /**
   * The INSERT of an allowed login's session row (called once per attempt that writes it): it
   * joins the statement that records the decision when the decision already tells the login is
   * allowed, else it runs on its own before the commit.
   */
  readonly session?: (userId: string) => Prisma.Sql;
}

export async function provisionLogin(
  deps: { db: Db; allocation: AllocationService; clock: Clock },
  identity: Identity,
  writes: LoginWrites = {},
): Promise<LoginOutcome> {
  const actor = `saml:${identity.nameId}`;
  const { assertion, session } = writes;
  const record = (now: Date): Prisma.Sql | undefined => assertion && assertionRecordSql(assertion.id, assertion.expiresAt, now);
  let outcome: LoginOutcome;
  try {
    outcome = await deps.allocation.sqlTransaction(
      'login',
      async (tx, attempt) => {
        const user = await upsertLoginUser(tx, identity, attempt.now, record(attempt.now));
        if (!user.recorded) refuse('REPLAY', 'assertion ID already accepted');
        let active = user.active;
        if (!user.inserted && !active) {
          if (!(await loadSettings(tx)).policy.jit.reactivateOnLogin) throw new Rollback({ kind: 'denied', reason: 'DEACTIVATED', userId: user.id });
          await tx.$executeRaw`UPDATE app_user SET active = true, updated_at = ${attempt.now} WHERE id = ${user.id}::uuid`;
          active = true;
        }
        if (identity.overage && (user.inserted || !(await hasScimGroups(tx, user.id)))) {
          throw new Rollback({ kind: 'denied', reason: 'GROUPS_OVERAGE', userId: user.inserted ? null : user.id });
        }
        // The upsert holds the user's row lock: the decision does not take it again. It replaces
        // the `saml` memberships in the statement that reads its inputs; with an overage claim
        // the asserted list is incomplete, so only SCIM memberships count.
        const locked = { id: user.id, nameId: user.nameId, active, waitingSince: user.waitingSince };
        const samlGroups = identity.overage ? [] : identity.groups;
        // Only NO_MAPPING may still be denied after the decision (saml.policy.jit.denyUnmapped).
        let sessionWritten = false;
        const alsoWrite = (d: Decision): Prisma.Sql | undefined => {
          if (!session || d.reason === 'NO_MAPPING' || (user.inserted && !d.autoProvision)) return undefined;
          sessionWritten = true;
          return session(user.id);
        };
        const decision = await deps.allocation.decideInTx(tx, user.id, attempt, { actor, action: 'login', locked, samlGroups, alsoWrite });
        const reason = decision.decision.reason;
        if (user.inserted && !decision.decision.autoProvision) {
          throw new Rollback({ kind: 'denied', reason: reason === 'NO_MAPPING' ? 'NO_MAPPING' : 'NOT_PROVISIONED', userId: null });
        }
        if (reason === 'NO_MAPPING' && (await loadSettings(tx)).policy.jit.denyUnmapped) return { kind: 'denied', reason: 'NO_MAPPING', userId: user.id } as const;
        if (session && !sessionWritten) await tx.$executeRaw(session(user.id));
        return { kind: 'allowed', userId: user.id, decision } as const;
      },
      (o) => (o.kind === 'allowed' ? [o.decision] : []),
    );
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
    outcome = e.outcome;
    const denied = outcome;
    await withSqlTx(deps.db, async (tx) => {
      const sql = record(deps.clock.now());
      if (sql && (await tx.$queryRaw<unknown[]>(sql)).length === 0) refuse('REPLAY', 'assertion ID already accepted');
      await tx.$executeRaw(auditInsertSql({ actor, action: 'login.denied', userId: denied.userId, subject: identity.nameId, reason: (denied as { reason: string }).reason }));
    });
  }
  return outcome;
}

async function hasScimGroups(tx: SqlTx, userId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ any: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM membership WHERE user_id = ${userId}::uuid AND source = 'scim')
        OR EXISTS (SELECT 1 FROM scim_group_member WHERE user_id = ${userId}::uuid) AS any`;
  return rows[0]?.any === true;
}
