/**
 * The pool invariants of SPEC §1/§4, checked against the data (what `allot check` runs and what
 * every integration test asserts after it ran): used equals the allocation rows, 0 <= used <=
 * capacity, at most one primary per user, inactive users hold nothing.
 */
import type { Tx } from '../db/transaction.js';

export interface Violation {
  readonly rule: 'USED_MATCHES_ROWS' | 'USED_WITHIN_CAPACITY' | 'ONE_PRIMARY' | 'INACTIVE_HOLDS_NOTHING' | 'KIND_MATCHES';
  readonly subject: string;
  readonly detail: string;
}

export async function checkInvariants(q: Pick<Tx, '$queryRaw'>): Promise<Violation[]> {
  const [counts, primaries, inactive, kinds] = await Promise.all([
    q.$queryRaw<{ key: string; capacity: number; used: number; rows: number }[]>`
      SELECT l.key, l.capacity, l.used, COUNT(a.user_id)::int AS rows
      FROM license l LEFT JOIN allocation a ON a.license_key = l.key
      GROUP BY l.key, l.capacity, l.used ORDER BY l.key`,
    q.$queryRaw<{ user_id: string; n: number }[]>`
      SELECT user_id::text, COUNT(*)::int AS n FROM allocation WHERE kind = 'primary' GROUP BY user_id HAVING COUNT(*) > 1`,
    q.$queryRaw<{ name_id: string; n: number }[]>`
      SELECT u.name_id, COUNT(*)::int AS n FROM app_user u JOIN allocation a ON a.user_id = u.id
      WHERE NOT u.active GROUP BY u.name_id ORDER BY u.name_id`,
    q.$queryRaw<{ license_key: string; n: number }[]>`
      SELECT a.license_key, COUNT(*)::int AS n FROM allocation a JOIN license l ON l.key = a.license_key
      WHERE a.kind <> l.kind GROUP BY a.license_key`,
  ]);
  const out: Violation[] = [];
  for (const c of counts) {
    if (c.used !== c.rows) out.push({ rule: 'USED_MATCHES_ROWS', subject: c.key, detail: `used ${c.used} but ${c.rows} allocation rows` });
    if (c.used < 0 || c.used > c.capacity) out.push({ rule: 'USED_WITHIN_CAPACITY', subject: c.key, detail: `used ${c.used}, capacity ${c.capacity}` });
  }
  for (const p of primaries) out.push({ rule: 'ONE_PRIMARY', subject: p.user_id, detail: `${p.n} primary licenses` });
  for (const i of inactive) out.push({ rule: 'INACTIVE_HOLDS_NOTHING', subject: i.name_id, detail: `inactive but holds ${i.n} licenses` });
  for (const k of kinds) out.push({ rule: 'KIND_MATCHES', subject: k.license_key, detail: `${k.n} rows with the wrong kind` });
  return out;
}
