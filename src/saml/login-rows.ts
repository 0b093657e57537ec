/**
 * The two writes of a login before the decision, one statement each (a login is mostly round
 * trips): the user upserted with the asserted attributes (and the assertion id recorded), and the
 * `saml` memberships replaced by the asserted groups without touching rows that did not change.
 */
import { Prisma } from '../generated/prisma/client.js';
import type { SqlTx } from '../db/sql-tx.js';
import type { Identity } from './profile.js';

export interface UpsertedUser {
  readonly id: string;
  readonly nameId: string;
  readonly active: boolean;
  readonly waitingSince: Date | null;
  readonly inserted: boolean;
  /** Whether the `alsoRecord` write returned its row (true when there was none to run). */
  readonly recorded: boolean;
}

/**
 * Creates the user or updates the attributes the assertion carries (absent claims keep their value).
 * ON CONFLICT DO UPDATE locks the existing row until the end of the transaction (and a new row is
 * invisible to others), so the decision that follows needs no separate lockUser. `alsoRecord`, a
 * write returning at most one row (the assertion-id record), runs in the same statement.
 */
export async function upsertLoginUser(tx: SqlTx, identity: Identity, now: Date, alsoRecord?: Prisma.Sql): Promise<UpsertedUser> {
  const recordCte = alsoRecord ? Prisma.sql`WITH recorded AS (${alsoRecord})` : Prisma.empty;
  const recorded = alsoRecord ? Prisma.sql`(SELECT count(*) FROM recorded) > 0` : Prisma.sql`true`;
  const rows = await tx.$queryRaw<{ id: string; name_id: string; active: boolean; waiting_since: Date | null; inserted: boolean; recorded: boolean }[]>`
    ${recordCte}
    INSERT INTO app_user (id, name_id, name_id_lower, email, first_name, last_name, user_id, roles, updated_at)
    VALUES (gen_random_uuid(), ${identity.nameId}, ${identity.nameId.toLowerCase()}, ${identity.email ?? null}, ${identity.firstName ?? null},
            ${identity.lastName ?? null}, ${identity.userId ?? null}, '{}', ${now})
    ON CONFLICT (name_id_lower) DO UPDATE SET
      email = COALESCE(EXCLUDED.email, app_user.email),
      first_name = COALESCE(EXCLUDED.first_name, app_user.first_name),
      last_name = COALESCE(EXCLUDED.last_name, app_user.last_name),
      user_id = COALESCE(EXCLUDED.user_id, app_user.user_id),
      updated_at = EXCLUDED.updated_at
    RETURNING id::text AS id, name_id, active, waiting_since, (xmax = 0) AS inserted, ${recorded} AS recorded`;
  const row = rows[0];
  if (!row) throw new Error('user upsert returned no row');
  return { id: row.id, nameId: row.name_id, active: row.active, waitingSince: row.waiting_since, inserted: row.inserted, recorded: row.recorded };
}

/** Replaces the user's `saml` memberships with `groups` (SPEC §1 Membership), in one statement. */
export async function replaceSamlMemberships(tx: SqlTx, userId: string, groups: readonly string[]): Promise<void> {
  const list = [...new Set(groups)];
  await tx.$executeRaw`
    WITH gone AS (
      DELETE FROM membership WHERE user_id = ${userId}::uuid AND source = 'saml' AND NOT (group_name = ANY(${list}::text[]))
    )
    INSERT INTO membership (user_id, source, group_name)
    SELECT ${userId}::uuid, 'saml', g FROM unnest(${list}::text[]) AS g
    ON CONFLICT DO NOTHING`;
}
