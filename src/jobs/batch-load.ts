/**
 * Reads one batch of a redistribution with a handful of set-based queries: the next page of users
 * in (created_at, id) order (keyset pagination, rows locked in that order), their effective groups
 * and their allocation rows.
 */
import { Prisma } from '../generated/prisma/client.js';
import type { SqlTx } from '../db/sql-tx.js';
import type { HeldLicense, Origin } from '../domain/index.js';
import type { PlanUser } from '../domain/plan-redistribution.js';

/** Keyset position: created_at as ISO 8601 text from PostgreSQL (microseconds kept) and id. */
export interface Keyset {
  readonly createdAt: string;
  readonly id: string;
}

export interface BatchUser extends PlanUser {
  readonly nameId: string;
  readonly roles: readonly string[];
  readonly lastReason: string | null;
  readonly waiting: boolean;
  readonly key: Keyset;
}

/** A page row as the page query sends it, one JSON array per user (see loadPage). */
type PageRow = [id: string, nameId: string, createdAt: string, active: boolean, roles: string[], lastReason: string | null, waiting: boolean];

/** Groups and allocation rows of one user: [id, groups, [[key, origin], …]]. */
type HeldRow = [id: string, groups: string[], held: [string, Origin][] | null];

/**
 * The next `limit` users matching `where` (a condition on alias u) after `after`. With `lock`, their
 * rows are locked for the transaction: logins and SCIM calls for them wait for this batch only.
 * Both reads come back as one JSON document each: parsing one string is far cheaper in this
 * process than a driver row (and its type conversions) per user.
 */
export async function loadPage(tx: SqlTx, where: Prisma.Sql, after: Keyset | null, limit: number, lock: boolean): Promise<BatchUser[]> {
  const keyset = after ? Prisma.sql`AND (u.created_at, u.id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)` : Prisma.empty;
  const rows = await jsonRows<PageRow>(tx, Prisma.sql`
    WITH p AS (
      SELECT u.id, u.name_id, u.created_at, u.active, u.roles, u.last_reason, u.waiting_since
      FROM app_user u
      WHERE ${where} ${keyset}
      ORDER BY u.created_at, u.id
      LIMIT ${limit}
      ${lock ? Prisma.sql`FOR UPDATE OF u` : Prisma.empty}
    )
    SELECT json_agg(json_build_array(p.id::text, p.name_id, p.created_at, p.active, p.roles, p.last_reason,
                                     p.waiting_since IS NOT NULL) ORDER BY p.created_at, p.id)::text AS doc
    FROM p`);
  if (rows.length === 0) return [];
  const held = await loadGroupsAndHeld(tx, rows.map((r) => r[0]));
  // JSON renders timestamptz as ISO 8601 with every microsecond: it is also the keyset's text.
  return rows.map(([id, nameId, createdAt, active, roles, lastReason, waiting]) => {
    const h = held.get(id);
    return {
      id,
      nameId,
      createdAt: new Date(createdAt),
      active,
      roles,
      lastReason,
      waiting,
      groups: h?.groups ?? [],
      current: h?.current ?? [],
      key: { createdAt, id },
    };
  });
}

/** Runs a query whose one row holds one column `doc`: a JSON array (or NULL for none). */
async function jsonRows<T>(tx: SqlTx, query: Prisma.Sql): Promise<T[]> {
  const [row] = await tx.$queryRaw<{ doc: string | null }[]>(query);
  return row?.doc ? (JSON.parse(row.doc) as T[]) : [];
}

/**
 * In one round trip, by user id: effective groups (SPEC §1: saml ∪ scim memberships, SCIM groups
 * by name and externalId) and allocation rows (ordered by licence key). One probe per
 * user on each (user_id, …) index. This runs after the page's locking read, as its own statement:
 * its snapshot is taken once the user rows are locked, so it sees what a login committed while we
 * waited.
 */
async function loadGroupsAndHeld(tx: SqlTx, ids: readonly string[]): Promise<Map<string, { groups: readonly string[]; current: HeldLicense[] }>> {
  const rows = await jsonRows<HeldRow>(tx, Prisma.sql`
    SELECT json_agg(json_build_array(
      x.uid::text,
      ARRAY(
        SELECT m.group_name FROM membership m WHERE m.user_id = x.uid
        UNION ALL
        SELECT g.name FROM scim_group_member sm JOIN scim_group sg ON sg.id = sm.group_id
          CROSS JOIN LATERAL (VALUES (sg.display_name), (sg.external_id)) AS g(name)
        WHERE sm.user_id = x.uid AND g.name IS NOT NULL
      ),
      (SELECT json_agg(json_build_array(a.license_key, a.origin) ORDER BY a.license_key) FROM allocation a WHERE a.user_id = x.uid)
    ))::text AS doc
    FROM unnest(${ids}::uuid[]) AS x(uid)`);
  const out = new Map<string, { groups: readonly string[]; current: HeldLicense[] }>();
  for (const [id, groups, held] of rows) {
    out.set(id, {
      // Distinct and sorted here, not in SQL: a per-user sort costs the database more than it costs
      // us, and code-unit order is the login path's (not a collation's).
      groups: groups.length > 1 ? [...new Set(groups)].sort() : groups,
      current: held ? held.map(([key, origin]) => ({ key, origin })) : [],
    });
  }
  return out;
}

export interface JobTrail {
  /** Holdings before this job touched the user (the first audit row's `before`). */
  readonly original: readonly HeldLicense[];
  /** Holdings after the job's last step so far (the last audit row's `after`). */
  readonly latest: readonly HeldLicense[];
  /** Rows the release step gave back. */
  readonly releasedEarly: readonly HeldLicense[];
  /** Rows a lowered capacity took. */
  readonly evicted: readonly HeldLicense[];
  /** The job already took this user's final decision (and wrote it). */
  readonly decided: boolean;
}

const NO_TRAIL: JobTrail = { original: [], latest: [], releasedEarly: [], evicted: [], decided: false };

/**
 * What this job already did to each user of the batch, read back from its own audit rows (written
 * in the same transactions as the changes, so they are exactly what committed). Only rows newer
 * than `auditFrom` (the newest audit id when the job started) are read, with one probe per user
 * on (user_id, id). Written as one `user_id = ANY(…) AND id > …` condition, the planner may take
 * the primary key's range instead and scan every row the job wrote, once per batch; `OFFSET 0`
 * keeps the per-user probe from being flattened into such a join, and `|| ''` keeps it off the
 * (actor, id) and (action, id) indexes for the same reason.
 */
export async function loadTrails(tx: SqlTx, ids: readonly string[], actor: string, auditFrom: string): Promise<Map<string, JobTrail>> {
  const trail = await jsonRows<[userId: string, action: string, before: HeldLicense[], after: HeldLicense[]]>(tx, Prisma.sql`
    SELECT json_agg(json_build_array(x.uid::text, e.action, e.before, e.after) ORDER BY x.uid, e.id)::text AS doc
    FROM unnest(${ids}::uuid[]) AS x(uid)
    CROSS JOIN LATERAL (
      SELECT a.id, a.action, a.before, a.after FROM audit_event a
      WHERE a.user_id = x.uid AND a.id > ${auditFrom}::bigint AND (a.actor || '') = ${actor}
        AND (a.action || '') IN ('redistribution.release', 'redistribution.evict', 'redistribution.decide')
      OFFSET 0
    ) e`);
  const rows = trail.map(([user_id, action, before, after]) => ({ user_id, action, before, after }));
  const out = new Map<string, JobTrail>();
  for (const r of rows) {
    const prev = out.get(r.user_id);
    if (r.action === 'redistribution.decide') {
      out.set(r.user_id, { ...(prev ?? NO_TRAIL), decided: true });
      continue;
    }
    const gone = r.before.filter((b) => !r.after.some((a) => a.key === b.key && a.origin === b.origin));
    out.set(r.user_id, {
      original: prev && prev.original.length + prev.latest.length > 0 ? prev.original : r.before,
      latest: r.after,
      releasedEarly: [...(prev?.releasedEarly ?? []), ...(r.action === 'redistribution.release' ? gone : [])],
      evicted: [...(prev?.evicted ?? []), ...(r.action === 'redistribution.evict' ? gone : [])],
      decided: prev?.decided ?? false,
    });
  }
  return out;
}
