/**
 * Everything a decision reads besides the compiled configuration, in ONE statement (a login is
 * mostly round trips, and each Prisma model query also costs client CPU): the settings revision
 * key (context-cache.ts), the user's memberships and SCIM groups, holdings and every pool.
 * Run it after the user row is locked: one statement reads one snapshot, so taking the lock in
 * the same statement would read the other tables as they were before a wait for the lock.
 * A login also replaces the user's `saml` memberships in the same statement (`replaceSaml`): the
 * read cannot see that write, so the saml groups are then the asserted list itself.
 */
import { Prisma } from '../generated/prisma/client.js';
import type { HeldLicense, LicenseKind, Origin, Pool } from '../domain/index.js';
import type { SqlTx } from '../db/sql-tx.js';
import type { GroupsBySource } from './groups.js';
import { NO_SETTINGS, REVISION_KEY } from './context-cache.js';

export interface DecisionInputs {
  /** settings revision and xmin, or NO_SETTINGS (see context-cache.ts). */
  readonly revisionKey: string;
  readonly groups: GroupsBySource;
  readonly current: HeldLicense[];
  /** Absent when the caller asked for locked pools (read separately, in key order). */
  readonly pools: Map<string, Pool> | undefined;
}

interface Doc {
  r: string | null;
  m: [string, string][];
  s: [string, string | null][];
  h: [string, Origin][];
  p: [string, LicenseKind, number, number][] | null;
}

export async function loadDecisionInputs(tx: SqlTx, userId: string, withPools: boolean, replaceSaml?: readonly string[]): Promise<DecisionInputs> {
  const list = replaceSaml ? [...new Set(replaceSaml)] : undefined;
  const replace = list
    ? Prisma.sql`WITH gone AS (
        DELETE FROM membership WHERE user_id = ${userId}::uuid AND source = 'saml' AND NOT (group_name = ANY(${list}::text[]))
      ), added AS (
        INSERT INTO membership (user_id, source, group_name) SELECT ${userId}::uuid, 'saml', g FROM unnest(${list}::text[]) AS g
        ON CONFLICT DO NOTHING
      )`
    : Prisma.empty;
  const sources = list ? Prisma.sql`AND source <> 'saml'` : Prisma.empty;
  // One text column holding one JSON document: the driver and Prisma convert a single string.
  const rows = await tx.$queryRaw<{ doc: string }[]>`
    ${replace}
    SELECT json_build_object(
      'r', ${REVISION_KEY},
      'm', COALESCE((SELECT json_agg(json_build_array(source::text, group_name)) FROM membership WHERE user_id = ${userId}::uuid ${sources}), '[]'),
      's', COALESCE((SELECT json_agg(json_build_array(g.display_name, g.external_id))
                     FROM scim_group_member sm JOIN scim_group g ON g.id = sm.group_id WHERE sm.user_id = ${userId}::uuid), '[]'),
      'h', COALESCE((SELECT json_agg(json_build_array(license_key, origin::text) ORDER BY license_key) FROM allocation WHERE user_id = ${userId}::uuid), '[]'),
      'p', CASE WHEN ${withPools} THEN COALESCE((SELECT json_agg(json_build_array(key, kind::text, capacity, used)) FROM license), '[]') END
    )::text AS doc`;
  const doc = JSON.parse(rows[0]!.doc) as Doc;
  const saml = new Set<string>(list);
  const scim = new Set<string>();
  for (const [source, name] of doc.m) (source === 'saml' ? saml : scim).add(name);
  for (const [displayName, externalId] of doc.s) {
    scim.add(displayName);
    if (externalId) scim.add(externalId);
  }
  return {
    revisionKey: doc.r ?? NO_SETTINGS,
    groups: { saml: [...saml].sort(), scim: [...scim].sort() },
    current: doc.h.map(([key, origin]) => ({ key, origin })),
    pools: doc.p ? new Map(doc.p.map(([key, kind, capacity, used]) => [key, { key, kind, capacity, used }])) : undefined,
  };
}
