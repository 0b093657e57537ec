/**
 * Keeps the `scim` membership rows (SPEC §1) in step with SCIM Group membership, inside the
 * caller's transaction: a member of a group counts under its displayName and, when the IdP sent
 * one, its externalId (Entra object id), so a mapping written with either matches.
 */
import type { Tx } from '../db/transaction.js';

/** Rewrites the scim memberships of these users from scim_group_member (set-based, two statements). */
export async function syncScimMemberships(tx: Tx, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  const ids = [...new Set(userIds)];
  await tx.$executeRaw`DELETE FROM membership WHERE source = 'scim' AND user_id = ANY(${ids}::uuid[])`;
  await tx.$executeRaw`
    INSERT INTO membership (user_id, source, group_name)
    SELECT DISTINCT m.user_id, 'scim'::"MembershipSource", n.name
    FROM scim_group_member m
    JOIN scim_group g ON g.id = m.group_id
    CROSS JOIN LATERAL (VALUES (g.display_name), (g.external_id)) AS n(name)
    WHERE m.user_id = ANY(${ids}::uuid[]) AND n.name IS NOT NULL AND n.name <> ''`;
}
