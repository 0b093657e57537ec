/**
 * SPEC §3 redistribution semantics through the real job runner and database.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkThenDestroy, createTestDb, type TestDb } from '../../helpers/test-db.js';
import { poolUsed, seedLicenses, seedMapping, seedUser, specLicenses } from '../../helpers/seed.js';
import { allHoldings, allocationFor, give, jobsFor, redistribute } from './helpers.js';

let db: TestDb;
const day = (d: number) => new Date(Date.UTC(2026, 0, d));

beforeEach(async () => {
  db = await createTestDb({ poolSize: 10 });
});
afterEach(() => checkThenDestroy(db));

describe('redistribution job', { timeout: 240_000 }, () => {
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

describe('scopes and flags', { timeout: 240_000 }, () => {
  async function threeGroups() {
    await seedLicenses(db, specLicenses(5));
    await seedMapping(db, { idpGroup: 'BC', licenses: ['bot-creator'], roles: ['AAE_Creator'] });
    await seedMapping(db, { idpGroup: 'CD', licenses: ['citizen-developer'], roles: ['AAE_Basic'] });
    const creator = await seedUser(db, 'creator@x', ['BC'], { createdAt: day(1) });
    const dev = await seedUser(db, 'dev@x', ['CD'], { createdAt: day(2) });
    const other = await seedUser(db, 'other@x', ['CD'], { createdAt: day(3) });
    await db.prisma.user.update({ where: { id: creator }, data: { roles: ['AAE_Creator'] } });
    await db.prisma.user.update({ where: { id: dev }, data: { roles: ['AAE_Basic'] } });
    return { creator, dev, other };
  }

  it('role scope touches only users holding that role', async () => {
    await threeGroups();
    const job = await redistribute(jobsFor(db), { scope: { role: 'AAE_Creator' } });
    expect(job.total).toBe(1);
    expect(await allHoldings(db)).toEqual({ 'creator@x': ['bot-creator'], 'dev@x': [], 'other@x': [] });
  });

  it('mapping scope (by idpGroup) touches only users matched by that mapping', async () => {
    await threeGroups();
    const job = await redistribute(jobsFor(db), { scope: { mapping: 'CD' } });
    expect(job.total).toBe(2);
    expect(await allHoldings(db)).toEqual({ 'creator@x': [], 'dev@x': ['citizen-developer'], 'other@x': ['citizen-developer'] });
  });

  it('user scope decides one user, named by nameId', async () => {
    await threeGroups();
    await redistribute(jobsFor(db), { scope: { user: 'OTHER@x' } });
    expect(await allHoldings(db)).toEqual({ 'creator@x': [], 'dev@x': [], 'other@x': ['citizen-developer'] });
  });

  it('an unknown mapping or user is refused before any job is created', async () => {
    const jobs = jobsFor(db);
    await expect(jobs.startRedistribution({ scope: { mapping: 'nope' }, redistributeManual: false, dryRun: false }, 't')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(jobs.startRedistribution({ scope: { user: 'nobody@x' }, redistributeManual: false, dryRun: false }, 't')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await db.prisma.job.count()).toBe(0);
  });

  it('preserves manual rows by default and revokes them with redistributeManual', async () => {
    await seedLicenses(db, specLicenses(0, { 'bot-creator': 1, 'citizen-developer': 1 }));
    await seedMapping(db, { idpGroup: 'BC', licenses: ['bot-creator'] });
    await seedMapping(db, { idpGroup: 'CD', licenses: ['citizen-developer'] });
    const m = await seedUser(db, 'm@x', ['CD'], { createdAt: day(1) });
    await seedUser(db, 'n@x', ['BC'], { createdAt: day(2) });
    await give(db, m, 'bot-creator', 'manual');
    const kept = await redistribute(jobsFor(db));
    expect(await allHoldings(db)).toEqual({ 'm@x': ['bot-creator(manual)'], 'n@x': [] });
    expect((kept.summary as { totals: { reasons: Record<string, number> } }).totals.reasons).toEqual({ MANUAL_PRESERVED: 1, BUNDLE_UNAVAILABLE: 1 });
    await redistribute(jobsFor(db), { redistributeManual: true });
    expect(await allHoldings(db)).toEqual({ 'm@x': ['citizen-developer'], 'n@x': ['bot-creator'] });
  });

  it('grants a waiting user outside the scope the seat the job freed', async () => {
    await seedLicenses(db, specLicenses(0, { 'bot-creator': 1, 'citizen-developer': 1 }));
    await seedMapping(db, { idpGroup: 'BC', licenses: ['bot-creator'] });
    await seedMapping(db, { idpGroup: 'CD', licenses: ['citizen-developer'] });
    const x = await seedUser(db, 'x@x', ['CD'], { createdAt: day(1) });
    const y = await seedUser(db, 'y@x', ['BC'], { createdAt: day(2) });
    await give(db, x, 'bot-creator');
    const { service } = allocationFor(db);
    await service.decideUser(y, { actor: 'saml:y@x', action: 'login' });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: y } })).waitingSince).not.toBeNull();
    await redistribute(jobsFor(db), { scope: { user: 'x@x' } });
    expect(await allHoldings(db)).toEqual({ 'x@x': ['citizen-developer'], 'y@x': ['bot-creator'] });
  });

  it('lowers a capacity during the run: youngest mapping holders give their seat back first', async () => {
    await seedLicenses(db, specLicenses(0, { 'bot-creator': 4 }));
    await seedMapping(db, { idpGroup: 'BC', licenses: ['bot-creator'] });
    for (const [i, name] of ['a', 'b', 'c', 'd'].entries()) {
      const id = await seedUser(db, `${name}@x`, ['BC'], { createdAt: day(i + 1) });
      await give(db, id, 'bot-creator', name === 'd' ? 'manual' : 'mapping');
    }
    const job = await redistribute(jobsFor(db, { batchSize: 1 }), { capacity: { 'bot-creator': 2 } });
    expect(job.status).toBe('succeeded');
    expect(await allHoldings(db)).toEqual({ 'a@x': ['bot-creator'], 'b@x': [], 'c@x': [], 'd@x': ['bot-creator(manual)'] });
    expect(await poolUsed(db)).toMatchObject({ 'bot-creator': 2 });
    expect((await db.prisma.license.findUniqueOrThrow({ where: { key: 'bot-creator' } })).capacity).toBe(2);
    const evictions = await db.prisma.auditEvent.count({ where: { actor: `job:${job.id}`, action: 'redistribution.evict' } });
    expect(evictions).toBe(2);
  });
});
