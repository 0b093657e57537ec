/**
 * The singleton settings row: preference order and policy (SPEC §1). A missing row or missing
 * policy keys mean the documented defaults, so a fresh database decides like SPEC §1 says.
 */
import { z } from 'zod';
import { DEFAULT_POLICY, DEFAULT_PREFERENCE_ORDER, type Policy } from '../domain/index.js';
import type { Tx } from '../db/transaction.js';
import type { SqlTx } from '../db/sql-tx.js';

export const policySchema = z.strictObject({
  adminRoles: z.array(z.string().min(1)).default([...DEFAULT_POLICY.adminRoles]),
  adminLicense: z.string().min(1).default(DEFAULT_POLICY.adminLicense),
  fallbackToNextPreference: z.boolean().default(DEFAULT_POLICY.fallbackToNextPreference),
  jit: z
    .strictObject({
      redistributeManual: z.boolean().default(DEFAULT_POLICY.jit.redistributeManual),
      denyUnmapped: z.boolean().default(DEFAULT_POLICY.jit.denyUnmapped),
      reactivateOnLogin: z.boolean().default(DEFAULT_POLICY.jit.reactivateOnLogin),
    })
    .default({ ...DEFAULT_POLICY.jit }),
});

export interface Settings {
  readonly preferenceOrder: readonly string[];
  readonly policy: Policy;
}

/** Raw SQL, so that a transaction without the Prisma client (sql-tx.ts) can read it too. */
export async function loadSettings(tx: SqlTx): Promise<Settings> {
  const rows = await tx.$queryRaw<{ preference_order: string[]; policy: string | null }[]>`
    SELECT preference_order, policy::text AS policy FROM settings WHERE id = 1`;
  const row = rows[0];
  if (!row) return { preferenceOrder: DEFAULT_PREFERENCE_ORDER, policy: DEFAULT_POLICY };
  return { preferenceOrder: row.preference_order, policy: policySchema.parse(row.policy === null ? {} : JSON.parse(row.policy)) };
}

export async function saveSettings(tx: Tx, patch: Partial<Settings>): Promise<Settings> {
  const current = await loadSettings(tx);
  const next: Settings = { ...current, ...patch };
  const data = { preferenceOrder: [...next.preferenceOrder], policy: next.policy as object };
  await tx.settings.upsert({ where: { id: 1 }, create: { id: 1, ...data }, update: data });
  return next;
}
