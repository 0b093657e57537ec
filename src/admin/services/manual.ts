/**
 * Manual assignment through the allocation service (SPEC §6), refusing a deactivated user up
 * front: the decision that follows would release the seat again at once (SPEC §2 step 9), which
 * an administrator would read as a silent no-op.
 */
import type { AllocationService } from '../../allocation/service.js';
import type { UserDecision } from '../../allocation/decide-user.js';
import type { Db } from '../../db/client.js';
import { ConflictError } from '../../shared/errors.js';
import { resolveUserId } from '../../users/resolve.js';

export async function assignLicense(deps: { db: Db; allocation: AllocationService }, ref: string, key: string, actor: string): Promise<UserDecision> {
  const id = await resolveUserId(deps.db.prisma, ref);
  const user = await deps.db.prisma.user.findUniqueOrThrow({ where: { id }, select: { active: true, nameId: true } });
  if (!user.active) throw new ConflictError(`user ${user.nameId} is deactivated; reactivate them before assigning a license`, { user: user.nameId });
  return deps.allocation.assign(id, key, actor);
}
