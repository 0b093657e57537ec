/**
 * Reads one batch of a redistribution with a handful of set-based queries: the next page of users
 * in (created_at, id) order (keyset pagination, rows locked in that order), their effective groups
 * and their allocation rows.
 */
import { Prisma } from '../generated/prisma/client.js';
import type { Tx } from '../db/transaction.js';
import type { HeldLicense, Origin } from '../domain/index.js';
import type { PlanUser } from '../domain/plan-redistribution.js';

/** Keyset position: created_at as PostgreSQL text (microseconds kept) and id. */
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

interface PageRow {
  id: string;
  name_id: string;
  created_at: Date;
  created_key: string;
  active: boolean;
  roles: string[];
  last_reason: string | null;
  waiting: boolean;
}

/**
 * The next `limit` users matching `where` (a condition on alias u) after `after`. With `lock`, their
 * rows are locked for the transaction: logins and SCIM calls for them wait for this batch only.
 */
export async function loadPage(tx: Tx, where: Prisma.Sql, after: Keyset | null, limit: number, lock: boolean): Promise<BatchUser[]> {
  const keyset = after ? Prisma.sql`AND (u.created_at, u.id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)` : Prisma.empty;
  const rows = await tx.$queryRaw<PageRow[]>`
    SELECT u.id::text AS id, u.name_id, u.created_at, u.created_at::text AS created_key, u.active, u.roles,
           u.last_reason, u.waiting_since IS NOT NULL AS waiting
    FROM app_user u
    WHERE ${where} ${keyset}
    ORDER BY u.created_at, u.id
    LIMIT ${limit}
    ${lock ? Prisma.sql`FOR UPDATE OF u` : Prisma.empty}`;
  if (rows.length === 0) return [];
  const { groups, held } = await loadGroupsAndHeld(tx, rows.map((r) => r.id));
  return rows.map((r) => ({
    id: r.id,
    nameId: r.name_id,
    createdAt: r.created_at,
    active: r.active,
    roles: r.roles,
    lastReason: r.last_reason,
    waiting: r.waiting,
    groups: [...(groups.get(r.id) ?? [])].sort(),
    current: held.get(r.id) ?? [],
    key: { createdAt: r.created_key, id: r.id },
  }));
}

/**
 * In one round trip, by user id: effective groups (SPEC §1: saml ∪ scim memberships, SCIM groups
 * by name and externalId) and allocation rows (ordered by licence key). One probe per user on each
 * (user_id, …) index. This runs after the page's locking read, as its own statement: its snapshot
 * is taken once the user rows are locked, so it sees what a login committed while we waited.
 */
async function loadGroupsAndHeld(tx: Tx, ids: readonly string[]): Promise<{ groups: Map<string, Set<string>>; held: Map<string, HeldLicense[]> }> {
  const rows = await tx.$queryRaw<{ user_id: string; held: boolean; name: string; origin: Origin | null }[]>`
    SELECT x.uid::text AS user_id, r.held, r.name, r.origin
    FROM unnest(${ids}::uuid[]) AS x(uid)
    CROSS JOIN LATERAL (
      SELECT false AS held, m.group_name AS name, NULL::text AS origin FROM membership m WHERE m.user_id = x.uid
      UNION ALL
      SELECT false, g.name, NULL FROM scim_group_member sm JOIN scim_group sg ON sg.id = sm.group_id
        CROSS JOIN LATERAL (VALUES (sg.display_name), (sg.external_id)) AS g(name)
      WHERE sm.user_id = x.uid AND g.name IS NOT NULL
      UNION ALL
      SELECT true, a.license_key, a.origin::text FROM allocation a WHERE a.user_id = x.uid
    ) r
    ORDER BY r.held, x.uid, r.name`;
  const groups = new Map<string, Set<string>>();
  const held = new Map<string, HeldLicense[]>();
  for (const r of rows) {
    if (r.held) {
      const list = held.get(r.user_id);
      const row = { key: r.name, origin: r.origin as Origin };
      if (list) list.push(row);
      else held.set(r.user_id, [row]);
      continue;
    }
    const set = groups.get(r.user_id);
    if (set) set.add(r.name);
    else groups.set(r.user_id, new Set([r.name]));
  }
  return { groups, held };
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
export async function loadTrails(tx: Tx, ids: readonly string[], actor: string, auditFrom: string): Promise<Map<string, JobTrail>> {
  const rows = await tx.$queryRaw<{ user_id: string; action: string; before: HeldLicense[]; after: HeldLicense[] }[]>`
    SELECT x.uid::text AS user_id, e.action, e.before, e.after
    FROM unnest(${ids}::uuid[]) AS x(uid)
    CROSS JOIN LATERAL (
      SELECT a.id, a.action, a.before, a.after FROM audit_event a
      WHERE a.user_id = x.uid AND a.id > ${auditFrom}::bigint AND (a.actor || '') = ${actor}
        AND (a.action || '') IN ('redistribution.release', 'redistribution.evict', 'redistribution.decide')
      OFFSET 0
    ) e
    ORDER BY x.uid, e.id`;
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
