/**
 * Loads what decide() needs besides the user: the compiled configuration (settings and enabled
 * mappings) and the pools. Pools are read without locks; seats are then taken with conditional
 * updates (see seats.ts), so a stale read can only make a decision retry, never over-allocate.
 */
import { Prisma } from '../generated/prisma/client.js';
import { createDecisionContext, type DecisionContext, type Pool } from '../domain/index.js';
import type { SqlTx } from '../db/sql-tx.js';
import { loadMappings } from './context-cache.js';
import { loadSettings } from './settings.js';

export async function loadDecisionContext(tx: SqlTx): Promise<DecisionContext> {
  const [settings, mappings] = await Promise.all([loadSettings(tx), loadMappings(tx)]);
  return createDecisionContext({ policy: settings.policy, preferenceOrder: settings.preferenceOrder, mappings });
}

/** Every pool by key. With `lock`, rows are locked in key order (the pessimistic fallback). */
export async function loadPools(tx: SqlTx, lock = false): Promise<Map<string, Pool>> {
  const rows = await tx.$queryRaw<Pool[]>`SELECT key, kind::text AS kind, capacity, used FROM license ORDER BY key ${lock ? Prisma.sql`FOR UPDATE` : Prisma.empty}`;
  return new Map(rows.map((r) => [r.key, { key: r.key, kind: r.kind, capacity: r.capacity, used: r.used }]));
}
