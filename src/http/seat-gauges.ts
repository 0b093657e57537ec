/**
 * allot_seats_used / allot_seats_capacity are read from the license table when /metrics is
 * scraped: every instance then reports the database's truth, whichever instance took the seat.
 */
import type { Db } from '../db/client.js';
import type { Metrics } from './metrics.js';

export async function refreshSeatGauges(db: Db, metrics: Metrics): Promise<void> {
  const pools = await db.prisma.license.findMany({ select: { key: true, capacity: true, used: true } });
  metrics.seatsUsed.reset();
  metrics.seatsCapacity.reset();
  for (const { key, capacity, used } of pools) {
    metrics.seatsUsed.set({ license: key }, used);
    metrics.seatsCapacity.set({ license: key }, capacity);
  }
}
