/**
 * Demo data (SPEC §8): the license types, preference order and mappings of SPEC §2, and one demo
 * user per worked case. Seeded once: only into a database without license types or mappings.
 */
import type { Db } from '../db/client.js';
import { saveSettings } from '../allocation/settings.js';
import { DEFAULT_POLICY, DEFAULT_PREFERENCE_ORDER } from '../domain/index.js';

export const DEMO_LICENSES = [
  { key: 'bot-creator', name: 'Bot Creator', kind: 'primary', capacity: 1 },
  { key: 'citizen-developer', name: 'Citizen Developer', kind: 'primary', capacity: 10 },
  { key: 'attended-bot-runner', name: 'Attended Bot Runner', kind: 'primary', capacity: 10 },
  { key: 'unattended-bot-runner', name: 'Unattended Bot Runner', kind: 'primary', capacity: 5 },
  { key: 'process-discovery', name: 'Process Discovery', kind: 'addon', capacity: 10 },
  { key: 'bot-insight', name: 'Bot Insight', kind: 'addon', capacity: 10 },
] as const;

export const DEMO_MAPPINGS = [
  { idpGroup: 'Dev1', description: 'Developers (citizen)', roles: ['AAE_Basic'], licenses: ['citizen-developer', 'process-discovery'] },
  { idpGroup: 'Dev2', description: 'Developers (attended)', roles: ['AAE_Basic'], licenses: ['attended-bot-runner', 'bot-insight'] },
  { idpGroup: 'Creators', description: 'Bot creators (1 seat: the second one waits)', roles: ['AAE_Basic'], licenses: ['bot-creator'] },
  { idpGroup: 'Runners', description: 'Unattended runners', roles: ['AAE_Basic'], licenses: ['unattended-bot-runner'] },
  { idpGroup: 'Admins', description: 'Platform administrators', roles: ['AAE_Admin'], licenses: [] },
  { idpGroup: 'Auditors', description: 'Read-only administrators', roles: ['AAE_Auditor'], licenses: [] },
] as const;

export interface DemoUser {
  readonly nameId: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly groups: readonly string[];
  /** The SPEC §2 case the user shows. */
  readonly shows: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { nameId: 'fiona@demo.allot', firstName: 'Fiona', lastName: 'Fischer', groups: ['Dev1', 'Dev2'], shows: 'Dev1 + Dev2: citizen-developer wins over attended-bot-runner, add-ons of both' },
  { nameId: 'carl@demo.allot', firstName: 'Carl', lastName: 'Creator', groups: ['Creators'], shows: 'takes the only bot-creator seat' },
  { nameId: 'cora@demo.allot', firstName: 'Cora', lastName: 'Creator', groups: ['Creators'], shows: 'bot-creator sold out: no fallback, waits for a seat' },
  { nameId: 'mo@demo.allot', firstName: 'Mo', lastName: 'Mover', groups: ['Dev1'], shows: 'log Carl in again with only Dev1: bot-creator released, Cora gets it' },
  { nameId: 'ada@demo.allot', firstName: 'Ada', lastName: 'Admin', groups: ['Admins', 'Dev1', 'Creators'], shows: 'AAE_Admin: bot-insight only, whatever else maps' },
  { nameId: 'otto@demo.allot', firstName: 'Otto', lastName: 'Auditor', groups: ['Auditors'], shows: 'AAE_Auditor: read-only admin, no license' },
  { nameId: 'uma@demo.allot', firstName: 'Uma', lastName: 'Unmapped', groups: ['Visitors'], shows: 'no mapped group: refused with a clear page' },
];

/** Seeds licenses, preference order and mappings unless the database already has any. */
export async function seedDemoData(db: Db): Promise<boolean> {
  return db.prisma.$transaction(async (tx) => {
    // One seeder at a time (several workers may start together).
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(4242017)`;
    const [licenses, mappings] = await Promise.all([tx.license.count(), tx.groupMapping.count()]);
    if (licenses > 0 || mappings > 0) return false;
    await tx.license.createMany({ data: DEMO_LICENSES.map((l) => ({ ...l })) });
    await tx.groupMapping.createMany({
      data: DEMO_MAPPINGS.map((m) => ({ ...m, roles: [...m.roles], licenses: [...m.licenses], autoProvision: true, enabled: true })),
    });
    await saveSettings(tx, { preferenceOrder: DEFAULT_PREFERENCE_ORDER, policy: DEFAULT_POLICY });
    return true;
  });
}
