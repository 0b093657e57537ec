/**
 * Serialises administrators' configuration writes (mappings, policy, preference order, user
 * deactivation): each locks the settings singleton first, then reads what its checks need. Two
 * concurrent deletions of the last two admin mappings therefore cannot both pass the lock-out
 * guard. Decisions never lock this row (they read it), so logins do not wait for it.
 */
import type { Tx } from '../../db/transaction.js';

export async function lockConfiguration(tx: Tx): Promise<void> {
  await tx.$queryRaw`SELECT id FROM settings WHERE id = 1 FOR UPDATE`;
}
