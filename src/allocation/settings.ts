/**
 * The singleton settings row: preference order and policy (SPEC §1). A missing row or missing
 * policy keys mean the documented defaults, so a fresh database decides like SPEC §1 says.
 */
import { z } from 'zod';
import { DEFAULT_POLICY, DEFAULT_PREFERENCE_ORDER, type Policy } from '../domain/index.js';
import type { Tx } from '../db/transaction.js';

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

export async function loadSettings(tx: Tx): Promise<Settings> {
  const row = await tx.settings.findUnique({ where: { id: 1 } });
  if (!row) return { preferenceOrder: DEFAULT_PREFERENCE_ORDER, policy: DEFAULT_POLICY };
  return { preferenceOrder: row.preferenceOrder, policy: policySchema.parse(row.policy ?? {}) };
}

export async function saveSettings(tx: Tx, patch: Partial<Settings>): Promise<Settings> {
  const current = await loadSettings(tx);
  const next: Settings = { ...current, ...patch };
  const data = { preferenceOrder: [...next.preferenceOrder], policy: next.policy as object };
  await tx.settings.upsert({ where: { id: 1 }, create: { id: 1, ...data }, update: data });
  return next;
}
