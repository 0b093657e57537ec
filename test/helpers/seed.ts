/**
 * Test data through the real database: license pools, mappings, settings and users with
 * memberships. Shared by the integration suites.
 */
import type { Db } from '../../src/db/client.js';
import { saveSettings } from '../../src/allocation/settings.js';
import { replaceMemberships } from '../../src/allocation/groups.js';
import { DEFAULT_POLICY, type Policy } from '../../src/domain/index.js';

export interface LicenseSeed {
  key: string;
  kind?: 'primary' | 'addon';
  capacity: number;
  name?: string;
}

const ADDONS = new Set(['process-discovery', 'bot-insight']);

/** The SPEC §2 license types, each with `capacity` seats unless overridden. */
export function specLicenses(capacity: number, overrides: Record<string, number> = {}): LicenseSeed[] {
  return ['bot-creator', 'citizen-developer', 'attended-bot-runner', 'unattended-bot-runner', 'process-discovery', 'bot-insight'].map((key) => ({
    key,
    capacity: overrides[key] ?? capacity,
  }));
}

export async function seedLicenses(db: Db, licenses: readonly LicenseSeed[]): Promise<void> {
  await db.prisma.license.createMany({
    data: licenses.map((l) => ({
      key: l.key,
      name: l.name ?? l.key,
      kind: l.kind ?? (ADDONS.has(l.key) ? 'addon' : 'primary'),
      capacity: l.capacity,
    })),
  });
}

export interface MappingSeed {
  idpGroup: string;
  licenses?: string[];
  roles?: string[];
  autoProvision?: boolean;
  enabled?: boolean;
  caseInsensitive?: boolean;
}

export async function seedMapping(db: Db, m: MappingSeed): Promise<string> {
  const row = await db.prisma.groupMapping.create({
    data: {
      idpGroup: m.idpGroup,
      licenses: m.licenses ?? [],
      roles: m.roles ?? ['AAE_Basic'],
      autoProvision: m.autoProvision ?? true,
      enabled: m.enabled ?? true,
      caseInsensitive: m.caseInsensitive ?? false,
    },
  });
  return row.id;
}

export async function seedPolicy(db: Db, patch: Partial<Policy>): Promise<void> {
  await db.prisma.$transaction((tx) => saveSettings(tx, { policy: { ...DEFAULT_POLICY, ...patch } }));
}

export async function seedUser(db: Db, nameId: string, groups: readonly string[] = [], opts: { active?: boolean; createdAt?: Date } = {}): Promise<string> {
  const user = await db.prisma.user.create({
    data: { nameId, nameIdLower: nameId.toLowerCase(), active: opts.active ?? true, ...(opts.createdAt ? { createdAt: opts.createdAt } : {}) },
  });
  await db.prisma.$transaction((tx) => replaceMemberships(tx, user.id, 'saml', groups));
  return user.id;
}

export async function setGroups(db: Db, userId: string, groups: readonly string[]): Promise<void> {
  await db.prisma.$transaction((tx) => replaceMemberships(tx, userId, 'saml', groups));
}

/** key → sorted holders' nameIds, for compact assertions. */
export async function holdings(db: Db, userId: string): Promise<string[]> {
  const rows = await db.prisma.allocation.findMany({ where: { userId }, orderBy: { licenseKey: 'asc' } });
  return rows.map((r) => (r.origin === 'manual' ? `${r.licenseKey}(manual)` : r.licenseKey));
}

export async function poolUsed(db: Db): Promise<Record<string, number>> {
  const rows = await db.prisma.license.findMany({ orderBy: { key: 'asc' } });
  return Object.fromEntries(rows.map((r) => [r.key, r.used]));
}
