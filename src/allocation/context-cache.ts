/**
 * Per-process cache of the compiled decision context. Compiling 200 mappings costs more than the
 * rest of a decision, so it is reused while the settings row is unchanged: triggers bump
 * settings.revision with every change of settings or group_mapping, in the writer's transaction.
 * The key also holds the row's xmin, so a revision seen inside a transaction that later rolled
 * back can never be confused with the same number committed afterwards.
 */
import { createDecisionContext, type DecisionContext } from '../domain/index.js';
import { Prisma } from '../generated/prisma/client.js';
import type { Tx } from '../db/transaction.js';
import { loadSettings } from './settings.js';

export interface ContextCache {
  get(tx: Tx): Promise<DecisionContext>;
  /** The same, with the revision key already read by the caller in this transaction (decision-inputs.ts). */
  forKey(tx: Tx, key: string): Promise<DecisionContext>;
  /** The cached context when it was compiled for this key, else undefined (no query). */
  peek(key: string): DecisionContext | undefined;
}

export function createContextCache(): ContextCache {
  let cached: { key: string; context: DecisionContext } | undefined;
  async function forKey(tx: Tx, key: string): Promise<DecisionContext> {
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
    peek: (key) => (cached?.key === key ? cached.context : undefined),
  };
}

/** The revision key as a scalar subquery, for callers that read it along with something else. */
export const REVISION_KEY = Prisma.sql`(SELECT revision::text || ':' || xmin::text FROM settings WHERE id = 1)`;
/** The key when there is no settings row. */
export const NO_SETTINGS = 'none';

async function revisionKey(tx: Tx): Promise<string> {
  const rows = await tx.$queryRaw<{ key: string | null }[]>`SELECT ${REVISION_KEY} AS key`;
  return rows[0]?.key ?? NO_SETTINGS;
}

export function loadMappings(tx: Tx) {
  return tx.groupMapping.findMany({ where: { enabled: true }, orderBy: { id: 'asc' } });
}
