import type { SqlTx } from '../db/sql-tx.js';
import { NotFoundError } from '../shared/errors.js';

export interface LockedUser {
  readonly id: string;
  readonly nameId: string;
  readonly active: boolean;
  readonly waitingSince: Date | null;
}

/**
 * Locks one user's row for the rest of the transaction (SPEC §4: one user's concurrent logins and
 * SCIM calls serialise here). Every writer of a user's allocation rows takes this lock first.
 */
export async function lockUser(tx: SqlTx, userId: string): Promise<LockedUser> {
  const rows = await tx.$queryRaw<{ id: string; name_id: string; active: boolean; waiting_since: Date | null }[]>`
    SELECT id::text AS id, name_id, active, waiting_since FROM app_user WHERE id = ${userId}::uuid FOR UPDATE`;
  const row = rows[0];
  if (!row) throw new NotFoundError('user', userId);
  return { id: row.id, nameId: row.name_id, active: row.active, waitingSince: row.waiting_since };
}
