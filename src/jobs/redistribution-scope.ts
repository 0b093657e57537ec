/**
 * Which users a redistribution decides (SPEC §3 "all active users, users of one role, users of one
 * mapping, or one user"), as a SQL condition on `app_user u`.
 *
 * `all` also visits inactive users, so anything they still hold is released (SPEC §2 step 9).
 * `role` means the roles recorded by each user's last decision. `mapping` means users whose
 * effective groups (saml, scim memberships, SCIM groups by displayName or externalId) match the
 * mapping's idpGroup, honouring its caseInsensitive flag.
 */
import { Prisma } from '../generated/prisma/client.js';
import type { Tx } from '../db/transaction.js';
import { resolveUserId } from '../users/resolve.js';
import { NotFoundError } from '../shared/errors.js';
import type { RedistributionScope } from './types.js';

export type ResolvedScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'role'; readonly role: string }
  | { readonly kind: 'mapping'; readonly mappingId: string; readonly idpGroup: string; readonly caseInsensitive: boolean }
  | { readonly kind: 'user'; readonly userId: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Resolves names to ids once, when the job is created; 404 when the mapping or user is unknown. */
export async function resolveScope(q: Pick<Tx, 'user' | 'groupMapping'>, scope: RedistributionScope): Promise<ResolvedScope> {
  if ('all' in scope) return { kind: 'all' };
  if ('role' in scope) return { kind: 'role', role: scope.role };
  if ('user' in scope) return { kind: 'user', userId: await resolveUserId(q, scope.user) };
  const m =
    (UUID.test(scope.mapping) ? await q.groupMapping.findUnique({ where: { id: scope.mapping } }) : null) ??
    (await q.groupMapping.findUnique({ where: { idpGroup: scope.mapping } }));
  if (!m) throw new NotFoundError('mapping', scope.mapping);
  return { kind: 'mapping', mappingId: m.id, idpGroup: m.idpGroup, caseInsensitive: m.caseInsensitive };
}

/** The scope as a condition on the alias `u` (app_user). */
export function scopeCondition(scope: ResolvedScope): Prisma.Sql {
  switch (scope.kind) {
    case 'all':
      return Prisma.sql`TRUE`;
    case 'role':
      return Prisma.sql`${scope.role} = ANY(u.roles)`;
    case 'user':
      return Prisma.sql`u.id = ${scope.userId}::uuid`;
    case 'mapping': {
      const g = scope.idpGroup;
      const eq = (column: Prisma.Sql): Prisma.Sql => (scope.caseInsensitive ? Prisma.sql`lower(${column}) = lower(${g})` : Prisma.sql`${column} = ${g}`);
      return Prisma.sql`(EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id AND ${eq(Prisma.sql`m.group_name`)})
        OR EXISTS (SELECT 1 FROM scim_group_member sm JOIN scim_group sg ON sg.id = sm.group_id
                   WHERE sm.user_id = u.id AND (${eq(Prisma.sql`sg.display_name`)} OR ${eq(Prisma.sql`sg.external_id`)})))`;
    }
    default: {
      const never: never = scope;
      throw new Error(`unknown scope ${JSON.stringify(never)}`);
    }
  }
}

export async function countScope(q: Pick<Tx, '$queryRaw'>, scope: ResolvedScope): Promise<number> {
  const rows = await q.$queryRaw<{ n: number }[]>`SELECT COUNT(*)::int AS n FROM app_user u WHERE ${scopeCondition(scope)}`;
  return rows[0]?.n ?? 0;
}
