/**
 * Just-in-time provisioning at the ACS (SPEC §3 "SAML login"), in ONE decision transaction:
 * find or create the user (creation only if a matched mapping has autoProvision), update the
 * attributes, replace the `saml` memberships, decide. A login that must not create or change
 * anything rolls back and is audited on its own.
 */
import type { AllocationService } from '../allocation/service.js';
import type { UserDecision } from '../allocation/decide-user.js';
import { replaceMemberships } from '../allocation/groups.js';
import { loadSettings } from '../allocation/settings.js';
import { writeAudit } from '../audit/write.js';
import type { Db } from '../db/client.js';
import { withTx, type Tx } from '../db/transaction.js';
import type { Identity } from './profile.js';

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

export async function provisionLogin(deps: { db: Db; allocation: AllocationService }, identity: Identity): Promise<LoginOutcome> {
  const actor = `saml:${identity.nameId}`;
  let outcome: LoginOutcome;
  try {
    outcome = await deps.allocation.transaction(
      'login',
      async (tx, attempt) => {
        const { policy } = await loadSettings(tx);
        const existing = await tx.user.findUnique({ where: { nameIdLower: identity.nameId.toLowerCase() }, select: { id: true, active: true } });
        if (existing && !existing.active && !policy.jit.reactivateOnLogin) throw new Rollback({ kind: 'denied', reason: 'DEACTIVATED', userId: existing.id });
        if (identity.overage && !(existing && (await hasScimGroups(tx, existing.id)))) {
          throw new Rollback({ kind: 'denied', reason: 'GROUPS_OVERAGE', userId: existing?.id ?? null });
        }
        const userId = existing ? existing.id : await createUser(tx, identity);
        await updateUser(tx, userId, identity, existing ? !existing.active : false);
        // With an overage claim the asserted list is incomplete: only SCIM memberships count.
        await replaceMemberships(tx, userId, 'saml', identity.overage ? [] : identity.groups);
        const decision = await deps.allocation.decideInTx(tx, userId, attempt, { actor, action: 'login' });
        if (!existing && !decision.decision.autoProvision) {
          throw new Rollback({ kind: 'denied', reason: decision.decision.reason === 'NO_MAPPING' ? 'NO_MAPPING' : 'NOT_PROVISIONED', userId: null });
        }
        if (decision.decision.reason === 'NO_MAPPING' && policy.jit.denyUnmapped) return { kind: 'denied', reason: 'NO_MAPPING', userId } as const;
        return { kind: 'allowed', userId, decision } as const;
      },
      (o) => (o.kind === 'allowed' ? [o.decision] : []),
    );
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
    outcome = e.outcome;
    await withTx(deps.db, (tx) =>
      writeAudit(tx, { actor, action: 'login.denied', userId: outcome.userId, subject: identity.nameId, reason: (outcome as { reason: string }).reason }),
    );
  }
  return outcome;
}

async function hasScimGroups(tx: Tx, userId: string): Promise<boolean> {
  const [memberships, groups] = await Promise.all([
    tx.membership.count({ where: { userId, source: 'scim' } }),
    tx.scimGroupMember.count({ where: { userId } }),
  ]);
  return memberships + groups > 0;
}

async function createUser(tx: Tx, identity: Identity): Promise<string> {
  // upsert: a concurrent first login of the same user must not fail on the unique nameId.
  const nameIdLower = identity.nameId.toLowerCase();
  const row = await tx.user.upsert({ where: { nameIdLower }, create: { nameId: identity.nameId, nameIdLower }, update: {}, select: { id: true } });
  return row.id;
}

async function updateUser(tx: Tx, userId: string, identity: Identity, reactivate: boolean): Promise<void> {
  const data: Record<string, unknown> = {};
  if (identity.email !== undefined) data['email'] = identity.email;
  if (identity.firstName !== undefined) data['firstName'] = identity.firstName;
  if (identity.lastName !== undefined) data['lastName'] = identity.lastName;
  if (identity.userId !== undefined) data['userId'] = identity.userId;
  if (reactivate) data['active'] = true;
  if (Object.keys(data).length > 0) await tx.user.update({ where: { id: userId }, data });
}
