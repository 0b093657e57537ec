/**
 * Moves seats for one user (SPEC §4): pool rows are updated in key order, a seat is taken only by
 * the conditional `used < capacity`, and the allocation rows change in the same transaction. The
 * caller holds the user's row lock, so the user's current rows cannot change underneath.
 */
import type { HeldLicense, LicenseKind, Origin } from '../domain/index.js';
import type { SqlTx } from '../db/sql-tx.js';

/** Another transaction took the last seat between our read of the pool and our update. */
export class SeatRaceError extends Error {
  override readonly name = 'SeatRaceError';
  constructor(readonly key: string) {
    super(`seat of ${key} taken concurrently`);
  }
}

export interface SeatChange {
  readonly release: readonly HeldLicense[];
  readonly acquire: readonly { readonly key: string; readonly origin: Origin }[];
}

export async function moveSeats(tx: SqlTx, userId: string, change: SeatChange, kinds: ReadonlyMap<string, LicenseKind>): Promise<void> {
  const delta = new Map<string, number>();
  for (const r of change.release) delta.set(r.key, (delta.get(r.key) ?? 0) - 1);
  for (const a of change.acquire) delta.set(a.key, (delta.get(a.key) ?? 0) + 1);
  for (const key of [...delta.keys()].sort()) {
    const d = delta.get(key)!;
    if (d < 0) await releaseSeat(tx, key);
    else if (d > 0) await takeSeat(tx, key);
  }
  if (change.release.length > 0) {
    const keys = change.release.map((r) => r.key);
    const count = await tx.$executeRaw`DELETE FROM allocation WHERE user_id = ${userId}::uuid AND license_key = ANY(${keys}::text[])`;
    if (count !== keys.length) throw new Error(`allocation rows of user ${userId} changed without the user lock`);
  }
  if (change.acquire.length > 0) {
    const rows = change.acquire;
    await tx.$executeRaw`
      INSERT INTO allocation (user_id, license_key, origin, kind)
      SELECT ${userId}::uuid, k, o::"AllocationOrigin", c::"LicenseKind"
      FROM unnest(${rows.map((a) => a.key)}::text[], ${rows.map((a) => a.origin)}::text[], ${rows.map((a) => kindOf(kinds, a.key))}::text[]) AS t(k, o, c)`;
  }
}

export async function takeSeat(tx: SqlTx, key: string): Promise<void> {
  const n = await tx.$executeRaw`UPDATE license SET used = used + 1 WHERE key = ${key} AND used < capacity`;
  if (n !== 1) throw new SeatRaceError(key);
}

export async function releaseSeat(tx: SqlTx, key: string): Promise<void> {
  const n = await tx.$executeRaw`UPDATE license SET used = used - 1 WHERE key = ${key} AND used > 0`;
  if (n !== 1) throw new Error(`pool ${key} has no seat in use to release`);
}

function kindOf(kinds: ReadonlyMap<string, LicenseKind>, key: string): LicenseKind {
  const kind = kinds.get(key);
  if (!kind) throw new Error(`license ${key} has no pool`);
  return kind;
}
