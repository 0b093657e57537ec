/**
 * A forced capacity cut (SPEC §6 "capacity below seats in use"): the surplus seats are taken back
 * from the holders the redistribution order ranks last — mapping holders before manual ones, then
 * the most recently created user first — so the seats kept go where a redistribution would put
 * them (SPEC §3: users already holding, then (createdAt, id) order). Each holder is re-decided in
 * the same transaction, so a bundle missing its seat is released whole and the user waits.
 */
import type { Attempt, AllocationService } from '../../allocation/service.js';
import type { UserDecision } from '../../allocation/decide-user.js';
import { loadHoldings } from '../../allocation/decide-user.js';
import { lockUser } from '../../allocation/user-lock.js';
import type { Tx } from '../../db/transaction.js';

export interface Reclaimed {
  readonly userId: string;
  readonly nameId: string;
}

export async function reclaimSeats(
  tx: Tx,
  ctx: { allocation: AllocationService; attempt: Attempt; actor: string },
  key: string,
  count: number,
): Promise<{ reclaimed: Reclaimed[]; decisions: UserDecision[] }> {
  const holders = await tx.allocation.findMany({
    where: { licenseKey: key },
    select: { origin: true, user: { select: { id: true, nameId: true, createdAt: true } } },
  });
  holders.sort(
    (a, b) =>
      (a.origin === b.origin ? 0 : a.origin === 'mapping' ? -1 : 1) ||
      b.user.createdAt.getTime() - a.user.createdAt.getTime() ||
      (a.user.id < b.user.id ? 1 : a.user.id > b.user.id ? -1 : 0),
  );
  const victims = holders.slice(0, count).map((h) => h.user);
  // Lock order (docs/decisions): user rows in id order, then pool rows.
  const byId = [...victims].sort((a, b) => (a.id < b.id ? -1 : 1));
  const before = new Map<string, Awaited<ReturnType<typeof loadHoldings>>>();
  for (const v of byId) {
    await lockUser(tx, v.id);
    before.set(v.id, await loadHoldings(tx, v.id));
  }
  if (victims.length > 0) {
    await tx.allocation.deleteMany({ where: { licenseKey: key, userId: { in: victims.map((v) => v.id) } } });
    await tx.$executeRaw`UPDATE license SET used = used - ${victims.length} WHERE key = ${key}`;
  }
  // Capacity goes down before the re-decisions, so nobody takes the reclaimed seats back.
  const capacity = (await tx.license.findUniqueOrThrow({ where: { key } })).used;
  await tx.$executeRaw`UPDATE license SET capacity = ${capacity} WHERE key = ${key}`;
  const decisions: UserDecision[] = [];
  for (const v of byId) {
    decisions.push(
      await ctx.allocation.decideInTx(tx, v.id, ctx.attempt, { actor: ctx.actor, action: 'license.capacity.reclaim', before: before.get(v.id) ?? [] }),
    );
  }
  return { reclaimed: victims.map((v) => ({ userId: v.id, nameId: v.nameId })), decisions };
}
