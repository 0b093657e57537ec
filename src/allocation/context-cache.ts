/**
 * Per-process cache of the compiled decision context. Compiling 200 mappings costs more than the
 * rest of a decision, so it is reused while the settings row is unchanged: triggers bump
 * settings.revision with every change of settings or group_mapping, in the writer's transaction.
 * The key also holds the row's xmin, so a revision seen inside a transaction that later rolled
 * back can never be confused with the same number committed afterwards.
 */
import { createDecisionContext, type DecisionContext, type Mapping } from '../domain/index.js';
import { Prisma } from '../generated/prisma/client.js';
import type { SqlTx } from '../db/sql-tx.js';
import { loadSettings } from './settings.js';

export interface ContextCache {
  get(tx: SqlTx): Promise<DecisionContext>;
  /** The same, with the revision key already read by the caller in this transaction (decision-inputs.ts). */
  forKey(tx: SqlTx, key: string): Promise<DecisionContext>;
}

export function createContextCache(): ContextCache {
  let cached: { key: string; context: DecisionContext } | undefined;
  async function forKey(tx: SqlTx, key: string): Promise<DecisionContext> {
    if (cached?.key === key) return cached.context;
    const [settings, mappings] = [await loadSettings(tx), await loadMappings(tx)];
    const context = createDecisionContext({ policy: settings.policy, preferenceOrder: settings.preferenceOrder, mappings });
    // Read committed: a writer may have committed between our reads; cache only a stable view.
    if ((await revisionKey(tx)) === key) cached = { key, context };
    return context;
  }
  return {
    get: async (tx) => forKey(tx, await revisionKey(tx)),
    forKey,
  };
}

/** The revision key as a scalar subquery, for callers that read it along with something else. */
export const REVISION_KEY = Prisma.sql`(SELECT revision::text || ':' || xmin::text FROM settings WHERE id = 1)`;
/** The key when there is no settings row. */
export const NO_SETTINGS = 'none';

async function revisionKey(tx: SqlTx): Promise<string> {
  const rows = await tx.$queryRaw<{ key: string | null }[]>`SELECT ${REVISION_KEY} AS key`;
  return rows[0]?.key ?? NO_SETTINGS;
}

/** The enabled mappings (raw SQL, like loadSettings: any transaction can read them). */
export async function loadMappings(tx: SqlTx): Promise<Mapping[]> {
  const rows = await tx.$queryRaw<{ id: string; idp_group: string; case_insensitive: boolean; roles: string[]; licenses: string[]; auto_provision: boolean }[]>`
    SELECT id::text AS id, idp_group, case_insensitive, roles, licenses, auto_provision FROM group_mapping WHERE enabled ORDER BY id`;
  return rows.map((r) => ({
    id: r.id, idpGroup: r.idp_group, caseInsensitive: r.case_insensitive, roles: r.roles, licenses: r.licenses, autoProvision: r.auto_provision, enabled: true,
  }));
}
