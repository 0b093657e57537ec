/**
 * SPEC §2 worked cases end to end: real database, real transactions, the application service.
 * After every test the pool invariants must hold (used == rows, <= capacity, one primary).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AllocationService } from '../../../src/allocation/service.js';
import { checkThenDestroy, createTestDb, type TestDb } from '../../helpers/test-db.js';
import { holdings, seedLicenses, seedMapping, seedPolicy, seedUser, setGroups, specLicenses } from '../../helpers/seed.js';
import { allocationFor } from '../../helpers/services.js';

let db: TestDb;
let service: AllocationService;
const actor = { actor: 'test:worked-cases', action: 'test.decide' };

beforeEach(async () => {
  db = await createTestDb();
  service = allocationFor(db).service;
});
afterEach(() => checkThenDestroy(db));

async function dev1dev2(overrides: Record<string, number> = {}): Promise<string> {
  await seedLicenses(db, specLicenses(10, overrides));
  await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer', 'process-discovery'] });
  await seedMapping(db, { idpGroup: 'Dev2', licenses: ['attended-bot-runner', 'bot-insight'] });
  return seedUser(db, 'fiona@example.com', ['Dev1', 'Dev2']);
}

describe('SPEC §2 worked cases through the service', () => {
  it('Fiona in Dev1 (citizen-developer) and Dev2 (attended-bot-runner) gets citizen-developer', async () => {
    await seedLicenses(db, specLicenses(10));
    await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer'] });
    await seedMapping(db, { idpGroup: 'Dev2', licenses: ['attended-bot-runner'] });
    const fiona = await seedUser(db, 'fiona@example.com', ['Dev1', 'Dev2']);
    const d = await service.decideUser(fiona, actor);
    expect(d.decision.reason).toBe('ALLOCATED');
    expect(await holdings(db, fiona)).toEqual(['citizen-developer']);
  });

  it('bundles: all available → citizen-developer + process-discovery + bot-insight', async () => {
    const fiona = await dev1dev2();
    await service.decideUser(fiona, actor);
    expect(await holdings(db, fiona)).toEqual(['bot-insight', 'citizen-developer', 'process-discovery']);
  });

  it('bundles: attended-bot-runner sold out → same result', async () => {
    const fiona = await dev1dev2({ 'attended-bot-runner': 0 });
    await service.decideUser(fiona, actor);
    expect(await holdings(db, fiona)).toEqual(['bot-insight', 'citizen-developer', 'process-discovery']);
  });

  for (const soldOut of ['citizen-developer', 'process-discovery', 'bot-insight']) {
    it(`bundles: ${soldOut} sold out → no license at all, user waits`, async () => {
      const fiona = await dev1dev2({ [soldOut]: 0 });
      const d = await service.decideUser(fiona, actor);
      expect(d.decision.reason).toBe('BUNDLE_UNAVAILABLE');
      expect(d.decision.missing).toEqual([soldOut]);
      expect(await holdings(db, fiona)).toEqual([]);
      const user = await db.prisma.user.findUniqueOrThrow({ where: { id: fiona } });
      expect(user.waitingSince).not.toBeNull();
    });
  }

  it('bot-creator sold out → no license (no fallback)', async () => {
    await seedLicenses(db, specLicenses(10, { 'bot-creator': 0 }));
    await seedMapping(db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
    await seedMapping(db, { idpGroup: 'Citizens', licenses: ['citizen-developer'] });
    const u = await seedUser(db, 'carl@example.com', ['Creators', 'Citizens']);
    const d = await service.decideUser(u, actor);
    expect(d.decision.reason).toBe('BUNDLE_UNAVAILABLE');
    expect(await holdings(db, u)).toEqual([]);
  });

  it('fallbackToNextPreference on → the next primary is taken', async () => {
    await seedLicenses(db, specLicenses(10, { 'bot-creator': 0 }));
    await seedPolicy(db, { fallbackToNextPreference: true });
    await seedMapping(db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
    await seedMapping(db, { idpGroup: 'Citizens', licenses: ['citizen-developer'] });
    const u = await seedUser(db, 'carl@example.com', ['Creators', 'Citizens']);
    await service.decideUser(u, actor);
    expect(await holdings(db, u)).toEqual(['citizen-developer']);
  });

  it('an AAE_Admin mapping plus other mappings → bot-insight only', async () => {
    await seedLicenses(db, specLicenses(10));
    await seedMapping(db, { idpGroup: 'Admins', roles: ['AAE_Admin'] });
    await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer', 'process-discovery'] });
    const u = await seedUser(db, 'ada@example.com', ['Admins', 'Dev1']);
    const d = await service.decideUser(u, actor);
    expect(d.decision.reason).toBe('ADMIN_ONLY');
    expect(d.decision.roles).toEqual(['AAE_Admin', 'AAE_Basic']);
    expect(await holdings(db, u)).toEqual(['bot-insight']);
  });

  it('a bot-creator holder now mapped only to citizen-developer swaps licenses', async () => {
    await seedLicenses(db, specLicenses(10));
    await seedMapping(db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
    await seedMapping(db, { idpGroup: 'Citizens', licenses: ['citizen-developer'] });
    const u = await seedUser(db, 'bob@example.com', ['Creators']);
    await service.decideUser(u, actor);
    expect(await holdings(db, u)).toEqual(['bot-creator']);
    await setGroups(db, u, ['Citizens']);
    const d = await service.decideUser(u, actor);
    expect(d.decision.reason).toBe('ALLOCATED');
    expect(d.decision.release).toEqual([{ key: 'bot-creator', origin: 'mapping' }]);
    expect(await holdings(db, u)).toEqual(['citizen-developer']);
  });

  it('a user keeps their own seat when the pool is full', async () => {
    await seedLicenses(db, specLicenses(1));
    await seedMapping(db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
    const u = await seedUser(db, 'bob@example.com', ['Creators']);
    await service.decideUser(u, actor);
    const again = await service.decideUser(u, actor);
    expect(again.decision.reason).toBe('UNCHANGED');
    expect(await holdings(db, u)).toEqual(['bot-creator']);
  });

  it('NO_MAPPING releases mapping-origin licenses', async () => {
    await seedLicenses(db, specLicenses(2));
    await seedMapping(db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
    const u = await seedUser(db, 'bob@example.com', ['Creators']);
    await service.decideUser(u, actor);
    await setGroups(db, u, ['Elsewhere']);
    const d = await service.decideUser(u, actor);
    expect(d.decision.reason).toBe('NO_MAPPING');
    expect(await holdings(db, u)).toEqual([]);
  });

  it('a deactivated user holds nothing, manual rows included', async () => {
    await seedLicenses(db, specLicenses(2));
    await seedMapping(db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
    const u = await seedUser(db, 'bob@example.com', ['Creators']);
    await service.assign(u, 'process-discovery', 'admin:test');
    expect(await holdings(db, u)).toEqual(['bot-creator', 'process-discovery(manual)']);
    await db.prisma.user.update({ where: { id: u }, data: { active: false } });
    const d = await service.decideUser(u, actor);
    expect(d.decision.reason).toBe('DEACTIVATED');
    expect(await holdings(db, u)).toEqual([]);
  });
});
