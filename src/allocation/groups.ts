/**
 * A user's effective groups (SPEC §1 "Membership"): the union of the groups asserted at the last
 * SAML login and those written by SCIM. A SCIM Group counts under its displayName and under the
 * externalId/object id the IdP sent, so a mapping written with either matches.
 */
import type { Tx } from '../db/transaction.js';

export interface GroupsBySource {
  readonly saml: readonly string[];
  readonly scim: readonly string[];
}

export async function loadGroups(tx: Tx, userId: string): Promise<GroupsBySource> {
  const [rows, scimGroups] = await Promise.all([
    tx.membership.findMany({ where: { userId }, select: { source: true, groupName: true } }),
    tx.scimGroupMember.findMany({ where: { userId }, select: { group: { select: { displayName: true, externalId: true } } } }),
  ]);
  const saml = new Set<string>();
  const scim = new Set<string>();
  for (const r of rows) (r.source === 'saml' ? saml : scim).add(r.groupName);
  for (const { group } of scimGroups) {
    scim.add(group.displayName);
    if (group.externalId) scim.add(group.externalId);
  }
  return { saml: [...saml].sort(), scim: [...scim].sort() };
}

export function effectiveGroups(groups: GroupsBySource): string[] {
  return [...new Set([...groups.saml, ...groups.scim])].sort();
}

/** Replaces the user's memberships of one source (a SAML login replaces its `saml` rows). */
export async function replaceMemberships(tx: Tx, userId: string, source: 'saml' | 'scim', groups: readonly string[]): Promise<void> {
  await tx.membership.deleteMany({ where: { userId, source } });
  const unique = [...new Set(groups)];
  if (unique.length > 0) {
    await tx.membership.createMany({ data: unique.map((groupName) => ({ userId, source, groupName })) });
  }
}
