import type { Tx } from '../db/transaction.js';
import { NotFoundError } from '../shared/errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user reference as the API accepts it (SPEC §6): the id, or the nameId (case-insensitive). */
export async function resolveUserId(q: Pick<Tx, 'user'>, ref: string): Promise<string> {
  const where = UUID.test(ref) ? { id: ref.toLowerCase() } : { nameIdLower: ref.toLowerCase() };
  const user = await q.user.findUnique({ where, select: { id: true } });
  if (user) return user.id;
  if (UUID.test(ref)) {
    const byName = await q.user.findUnique({ where: { nameIdLower: ref.toLowerCase() }, select: { id: true } });
    if (byName) return byName.id;
  }
  throw new NotFoundError('user', ref);
}
