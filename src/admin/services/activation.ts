/**
 * Deactivate and reactivate a user by hand (SPEC §2 step 9: inactive users hold nothing). The
 * flag and the resulting decision commit together, audited; deactivating the last active
 * administrator is refused unless confirmed (admin lock-out guard).
 */
import type { AllocationService } from '../../allocation/service.js';
import type { UserDecision } from '../../allocation/decide-user.js';
import { lockUser } from '../../allocation/user-lock.js';
import type { Db } from '../../db/client.js';
import { resolveUserId } from '../../users/resolve.js';
import { guardAdminLockout, impactOf } from './impact.js';
import { lockConfiguration } from './config-lock.js';
import { loadPopulation } from './population.js';

export async function setActive(
  deps: { db: Db; allocation: AllocationService },
  ref: string,
  active: boolean,
  confirm: boolean | undefined,
  actor: string,
): Promise<UserDecision> {
  const userId = await resolveUserId(deps.db.prisma, ref);
  return deps.allocation.transaction(
    active ? 'user.reactivate' : 'user.deactivate',
    async (tx, attempt) => {
      // Configuration first, then the user (the same order as every configuration writer).
      if (!active) await lockConfiguration(tx);
      await lockUser(tx, userId);
      if (!active) guardAdminLockout(impactOf(await loadPopulation(tx), { deactivate: [userId] }), confirm);
      await tx.user.update({ where: { id: userId }, data: { active } });
      return deps.allocation.decideInTx(tx, userId, attempt, { actor, action: active ? 'user.reactivate' : 'user.deactivate' });
    },
    (d) => [d],
  );
}
