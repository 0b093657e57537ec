/**
 * Manual allocation by an administrator (SPEC §1 origin `manual`, §6). The seat moves under the
 * user's lock with the same conditional update as every other seat; the user is then re-decided
 * in the same transaction so add-ons and the mapping primary follow (a manual primary suppresses
 * the mapping one).
 */
import type { Tx } from '../db/transaction.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { loadHoldings } from './decide-user.js';
import { releaseSeat, SeatRaceError, takeSeat } from './seats.js';

export async function assignManual(tx: Tx, userId: string, key: string): Promise<void> {
  const license = await tx.license.findUnique({ where: { key } });
  if (!license) throw new NotFoundError('license', key);
  const held = await loadHoldings(tx, userId);
  const same = held.find((h) => h.key === key);
  if (same?.origin === 'manual') return;
  if (same) {
    await tx.allocation.update({ where: { userId_licenseKey: { userId, licenseKey: key } }, data: { origin: 'manual' } });
    return;
  }
  if (license.kind === 'primary') {
    const primaries = await tx.allocation.findMany({ where: { userId, kind: 'primary' } });
    const manual = primaries.find((p) => p.origin === 'manual');
    if (manual) {
      throw new ConflictError(`user already holds ${manual.licenseKey} as a manual primary license; revoke it first`, {
        held: manual.licenseKey,
      });
    }
    for (const p of primaries) {
      await tx.allocation.delete({ where: { userId_licenseKey: { userId, licenseKey: p.licenseKey } } });
      await releaseSeat(tx, p.licenseKey);
    }
  }
  try {
    await takeSeat(tx, key);
  } catch (e) {
    if (!(e instanceof SeatRaceError)) throw e;
    const now = await tx.license.findUniqueOrThrow({ where: { key } });
    throw new ConflictError(`license ${key} has no free seat (capacity ${now.capacity}, used ${now.used})`, {
      key,
      capacity: now.capacity,
      used: now.used,
    });
  }
  await tx.allocation.create({ data: { userId, licenseKey: key, kind: license.kind, origin: 'manual' } });
}

export async function revokeManual(tx: Tx, userId: string, key: string): Promise<void> {
  const row = await tx.allocation.findUnique({ where: { userId_licenseKey: { userId, licenseKey: key } } });
  if (!row) throw new NotFoundError('allocation', `${key} of user ${userId}`);
  await tx.allocation.delete({ where: { userId_licenseKey: { userId, licenseKey: key } } });
  await releaseSeat(tx, key);
}
