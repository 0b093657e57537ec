/**
 * SPEC §3 "Seat freed": users left with BUNDLE_UNAVAILABLE wait in FIFO order (waitingSince, id)
 * and are granted when their whole bundle fits. Runs after the commit that freed seats, one short
 * transaction per waiting user, so it never holds two users' locks at once. Only users whose
 * last decision missed one of the freed keys are looked at, and only while one of those keys has
 * a free seat, so a full pool costs one query.
 */
import type { Db } from '../db/client.js';

export interface WaitlistDeps {
  readonly db: Db;
  /** Re-decides one user in its own transaction; true when the user stopped waiting. */
  decide(userId: string): Promise<boolean>;
}

const PAGE = 100;
const START = { since: new Date(0), id: '00000000-0000-0000-0000-000000000000' };

/** Grants waiting users who missed one of `keys` while any of them has a free seat. */
export async function grantWaiting(deps: WaitlistDeps, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const list = [...new Set(keys)];
  const q = deps.db.prisma;
  let granted = 0;
  let after = START;
  for (;;) {
    const free = await q.$queryRaw<{ free: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM license WHERE key = ANY(${list}::text[]) AND used < capacity) AS free`;
    if (!free[0]?.free) return granted;
    const page = await q.$queryRaw<{ id: string; waiting_since: Date }[]>`
      SELECT id::text AS id, waiting_since FROM app_user
      WHERE waiting_since IS NOT NULL AND active
        AND COALESCE(last_trace->'outcome'->'missing', '[]'::jsonb) ?| ${list}::text[]
        AND (waiting_since, id) > (${after.since}, ${after.id}::uuid)
      ORDER BY waiting_since, id
      LIMIT ${PAGE}`;
    for (const u of page) {
      if (await deps.decide(u.id)) granted++;
    }
    const last = page[page.length - 1];
    if (!last || page.length < PAGE) return granted;
    after = { since: last.waiting_since, id: last.id };
  }
}
