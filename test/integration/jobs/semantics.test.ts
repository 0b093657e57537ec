/**
 * SPEC §3 redistribution semantics through the real job runner and database.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../src/allocation/invariants.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';
import { poolUsed, seedLicenses, seedMapping, seedUser, specLicenses } from '../../helpers/seed.js';
import { allHoldings, give, jobsFor, redistribute } from './helpers.js';

let db: TestDb;
const dbs: TestDb[] = [];
const day = (d: number) => new Date(Date.UTC(2026, 0, d));

beforeEach(async () => {
  db = await createTestDb({ poolSize: 10 });
  dbs.push(db);
});
afterEach(async () => {
  expect(await checkInvariants(db.prisma)).toEqual([]);
});
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.destroy()));
});

describe('redistribution job', () => {
  it('swaps two licences between two users while both pools are full', async () => {
    await seedLicenses(db, specLicenses(0, { 'bot-creator': 1, 'citizen-developer': 1 }));
    await seedMapping(db, { idpGroup: 'BC', licenses: ['bot-creator'] });
    await seedMapping(db, { idpGroup: 'CD', licenses: ['citizen-developer'] });
    const a = await seedUser(db, 'a@x', ['CD'], { createdAt: day(1) });
    const b = await seedUser(db, 'b@x', ['BC'], { createdAt: day(2) });
    await give(db, a, 'bot-creator');
    await give(db, b, 'citizen-developer');
    const job = await redistribute(jobsFor(db));
    expect(job.status).toBe('succeeded');
    expect(await allHoldings(db)).toEqual({ 'a@x': ['citizen-developer'], 'b@x': ['bot-creator'] });
    expect(job.processed).toBe(2);
    expect(job.total).toBe(2);
    expect((job.summary as { totals: { reasons: Record<string, number> } }).totals.reasons).toEqual({ ALLOCATED: 2 });
  });

  it('writes one audit row per changed user with actor job:<id>', async () => {
    await seedLicenses(db, specLicenses(5));
    await seedMapping(db, { idpGroup: 'CD', licenses: ['citizen-developer'] });
    const a = await seedUser(db, 'a@x', ['CD']);
    await seedUser(db, 'b@x', []);
    const job = await redistribute(jobsFor(db));
    const rows = await db.prisma.auditEvent.findMany({ where: { actor: `job:${job.id}` } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'redistribution.decide', userId: a, reason: 'ALLOCATED', before: [], after: [{ key: 'citizen-developer', origin: 'mapping' }] });
    const user = await db.prisma.user.findUniqueOrThrow({ where: { id: a } });
    expect(user.lastReason).toBe('ALLOCATED');
    expect(user.roles).toEqual(['AAE_Basic']);
  });
});
