/**
 * Writes one batch of a redistribution with bulk statements (one per table, each taking a JSON
 * recordset), inside the batch's transaction: allocation rows, pool counts, users' last decision
 * and one audit row per changed user (SPEC §4). Pool rows are locked in key order before they are
 * updated, the order every decision transaction uses, and the database's CHECK (used <= capacity)
 * and one-primary index hold at the commit as at every other.
 */
import { Prisma } from '../generated/prisma/client.js';
import type { SqlTx } from '../db/sql-tx.js';
import type { HeldLicense, Origin, Trace } from '../domain/index.js';

export interface UserOutcome {
  readonly id: string;
  readonly roles: readonly string[];
  readonly reason: string;
  readonly trace: Trace;
  readonly waiting: boolean;
}

export interface AuditRow {
  readonly action: string;
  readonly userId: string;
  readonly subject: string;
  readonly reason: string | null;
  readonly before: readonly HeldLicense[];
  readonly after: readonly HeldLicense[];
  readonly trace: Trace | null;
}

export class BatchWrites {
  readonly deletes: { user_id: string; license_key: string }[] = [];
  readonly inserts: { user_id: string; license_key: string; origin: Origin }[] = [];
  readonly deltas = new Map<string, number>();
  readonly users: UserOutcome[] = [];
  readonly audits: AuditRow[] = [];

  release(userId: string, rows: readonly HeldLicense[]): void {
    for (const row of rows) {
      this.deletes.push({ user_id: userId, license_key: row.key });
      this.deltas.set(row.key, (this.deltas.get(row.key) ?? 0) - 1);
    }
  }

  acquire(userId: string, keys: readonly string[]): void {
    for (const key of keys) {
      this.inserts.push({ user_id: userId, license_key: key, origin: 'mapping' });
      this.deltas.set(key, (this.deltas.get(key) ?? 0) + 1);
    }
  }
}

export async function writeBatch(tx: SqlTx, w: BatchWrites, actor: string, now: Date, poolsLocked: boolean): Promise<void> {
  const deltas = [...w.deltas].filter(([, d]) => d !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (deltas.length > 0 && !poolsLocked) {
    const keys = deltas.map(([k]) => k);
    await tx.$queryRaw`SELECT key FROM license WHERE key = ANY(${keys}::text[]) ORDER BY key FOR UPDATE`;
  }
  // The insert must follow the delete (a row may be deleted and inserted again with another
  // origin, and the one-primary index sees a user's old primary until it is gone), so a batch with
  // both takes two statements; otherwise everything goes in one (data-modifying CTEs).
  const parts = { del: w.deletes.length > 0, pools: deltas.length > 0, ins: w.inserts.length > 0, rest: w.users.length + w.audits.length > 0 };
  const first = parts.del ? [deleteRows(w), ...(parts.pools ? [poolCounts(deltas, now)] : []), ...(parts.rest && !parts.ins ? outcomes(w, actor, now) : [])] : [];
  const second = [...(!parts.del && parts.pools ? [poolCounts(deltas, now)] : []), ...(parts.ins ? [insertRows(w)] : []), ...(parts.rest && (parts.ins || !parts.del) ? outcomes(w, actor, now) : [])];
  if (first.length > 0) {
    const rows = await tx.$queryRaw<{ deleted: number }[]>`WITH ${Prisma.join(first, ', ')} SELECT (SELECT COUNT(*) FROM d)::int AS deleted`;
    const n = rows[0]?.deleted ?? 0;
    if (n !== w.deletes.length) throw new Error(`expected to delete ${w.deletes.length} allocation rows, deleted ${n}: rows changed without the user lock`);
  }
  if (second.length > 0) await tx.$executeRaw`WITH ${Prisma.join(second, ', ')} SELECT 1`;
}

function deleteRows(w: BatchWrites): Prisma.Sql {
  return Prisma.sql`d AS (
    DELETE FROM allocation a USING jsonb_to_recordset(${JSON.stringify(w.deletes)}::jsonb) AS r(user_id uuid, license_key text)
    WHERE a.user_id = r.user_id AND a.license_key = r.license_key RETURNING 1)`;
}

function poolCounts(deltas: readonly [string, number][], now: Date): Prisma.Sql {
  return Prisma.sql`l AS (
    UPDATE license l SET used = l.used + r.delta, updated_at = ${now}
    FROM jsonb_to_recordset(${JSON.stringify(deltas.map(([key, delta]) => ({ key, delta })))}::jsonb) AS r(key text, delta int)
    WHERE l.key = r.key RETURNING 1)`;
}

function insertRows(w: BatchWrites): Prisma.Sql {
  return Prisma.sql`i AS (
    INSERT INTO allocation (user_id, license_key, kind, origin)
    SELECT r.user_id, r.license_key, l.kind, r.origin::"AllocationOrigin"
    FROM jsonb_to_recordset(${JSON.stringify(w.inserts)}::jsonb) AS r(user_id uuid, license_key text, origin text)
    JOIN license l ON l.key = r.license_key
    RETURNING 1)`;
}

/**
 * Users' last decision and the audit rows. A decision's trace is sent once: an audit row whose
 * trace is its user's new last_trace takes it from the users recordset (traces are most of the
 * bytes a batch writes).
 */
function outcomes(w: BatchWrites, actor: string, now: Date): Prisma.Sql[] {
  const traces = new Map(w.users.map((u) => [u.id, u.trace]));
  const audits = w.audits.map((a, n) => {
    const shared = a.trace !== null && traces.get(a.userId) === a.trace;
    return { action: a.action, user_id: a.userId, subject: a.subject, reason: a.reason, before: a.before, after: a.after, trace: shared ? null : a.trace, shared, n };
  });
  return [
    Prisma.sql`ur AS MATERIALIZED (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(w.users)}::jsonb) AS r(id uuid, roles text[], reason text, trace jsonb, waiting boolean))`,
    Prisma.sql`u AS (
      UPDATE app_user u SET roles = r.roles, last_reason = r.reason, last_trace = r.trace, last_decided_at = ${now},
        waiting_since = CASE WHEN r.waiting THEN COALESCE(u.waiting_since, ${now}) ELSE NULL END, updated_at = ${now}
      FROM ur r
      WHERE u.id = r.id RETURNING 1)`,
    Prisma.sql`au AS (
      INSERT INTO audit_event (actor, action, user_id, subject, reason, before, after, trace)
      SELECT ${actor}, r.action, r.user_id, r.subject, r.reason, r.before, r.after, CASE WHEN r.shared THEN ur.trace ELSE r.trace END
      FROM jsonb_to_recordset(${JSON.stringify(audits)}::jsonb) AS r(action text, user_id uuid, subject text, reason text, before jsonb, after jsonb, trace jsonb, shared boolean, n int)
      LEFT JOIN ur ON r.shared AND ur.id = r.user_id
      ORDER BY r.n
      RETURNING 1)`,
  ];
}
