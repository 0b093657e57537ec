/**
 * The application service beyond the worked cases: one audit row per decision, nothing half
 * written when a transaction fails, the waitlist, manual allocation and concurrent seat races.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AllocationService } from '../../../src/allocation/service.js';
import { AppError } from '../../../src/shared/errors.js';
import { checkThenDestroy, createTestDb, usingPostgres, type TestDb } from '../../helpers/test-db.js';
import { holdings, poolUsed, seedLicenses, seedMapping, seedUser, setGroups, specLicenses } from '../../helpers/seed.js';
import { allocationFor } from '../../helpers/services.js';

let db: TestDb;
let service: AllocationService;
const actor = { actor: 'test:service', action: 'test.decide' };

beforeEach(async () => {
  db = await createTestDb({ poolSize: 20 });
  service = allocationFor(db).service;
});
afterEach(() => checkThenDestroy(db));

describe('audit', () => {
  it('writes one row per decision with actor, before, after, reason and trace', async () => {
    await seedLicenses(db, specLicenses(5));
    await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer'] });
    const u = await seedUser(db, 'fiona@example.com', ['Dev1']);
    await service.decideUser(u, { actor: 'saml:fiona@example.com', action: 'login' });
    const rows = await db.prisma.auditEvent.findMany({ where: { userId: u } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: 'saml:fiona@example.com',
      action: 'login',
      subject: 'fiona@example.com',
      reason: 'ALLOCATED',
      before: [],
      after: [{ key: 'citizen-developer', origin: 'mapping' }],
    });
    expect((rows[0]!.trace as { rule: string }).rule).toBe('PREFERENCE');
  });

  it('refuses to update or delete audit rows at the database level', async () => {
    await seedLicenses(db, specLicenses(1));
    const u = await seedUser(db, 'a@example.com');
    await service.decideUser(u, actor);
    await expect(db.prisma.auditEvent.deleteMany({})).rejects.toThrow(/append-only/);
    await expect(db.prisma.auditEvent.updateMany({ data: { actor: 'x' } })).rejects.toThrow(/append-only/);
  });
});

describe('transactions', () => {
  it('a failure after the seats moved leaves pools, allocations, user and audit untouched', async () => {
    await seedLicenses(db, specLicenses(5));
    await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer', 'process-discovery'] });
    const u = await seedUser(db, 'fiona@example.com', ['Dev1']);
    const before = await poolUsed(db);
    await expect(
      service.transaction('test', async (tx, attempt) => {
        const d = await service.decideInTx(tx, u, attempt, actor);
        expect(d.decision.acquire).toEqual(['citizen-developer', 'process-discovery']);
        throw new Error('injected failure after the decision was written');
      }),
    ).rejects.toThrow(/injected failure/);
    expect(await poolUsed(db)).toEqual(before);
    expect(await holdings(db, u)).toEqual([]);
    expect(await db.prisma.auditEvent.count()).toBe(0);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: u } })).lastReason).toBeNull();
  });

  it('the database refuses a second primary even if code tried to write one', async () => {
    await seedLicenses(db, specLicenses(5));
    const u = await seedUser(db, 'a@example.com');
    await db.prisma.allocation.create({ data: { userId: u, licenseKey: 'bot-creator', kind: 'primary', origin: 'manual' } });
    await expect(
      db.prisma.allocation.create({ data: { userId: u, licenseKey: 'citizen-developer', kind: 'primary', origin: 'manual' } }),
    ).rejects.toThrow();
    await db.prisma.allocation.deleteMany({ where: { userId: u } });
  });
});

describe('waitlist (SPEC §3 "Seat freed")', () => {
  it('grants waiting users FIFO when a seat is released', async () => {
    await seedLicenses(db, specLicenses(1));
    await seedMapping(db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
    const holder = await seedUser(db, 'holder@example.com', ['Creators']);
    const first = await seedUser(db, 'first@example.com', ['Creators']);
    const second = await seedUser(db, 'second@example.com', ['Creators']);
    await service.decideUser(holder, actor);
    expect((await service.decideUser(first, actor)).decision.reason).toBe('BUNDLE_UNAVAILABLE');
    expect((await service.decideUser(second, actor)).decision.reason).toBe('BUNDLE_UNAVAILABLE');
    await setGroups(db, holder, []);
    await service.decideUser(holder, actor);
    expect(await holdings(db, holder)).toEqual([]);
    expect(await holdings(db, first)).toEqual(['bot-creator']);
    expect(await holdings(db, second)).toEqual([]);
    const firstRow = await db.prisma.user.findUniqueOrThrow({ where: { id: first } });
    expect(firstRow.waitingSince).toBeNull();
    const grant = await db.prisma.auditEvent.findFirstOrThrow({ where: { userId: first, action: 'waitlist.grant' } });
    expect(grant.actor).toBe('system:waitlist');
  });

  it('skips a waiting user whose whole bundle does not fit and grants the next one', async () => {
    await seedLicenses(db, specLicenses(1, { 'process-discovery': 0 }));
    await seedMapping(db, { idpGroup: 'Bundle', licenses: ['bot-creator', 'process-discovery'] });
    await seedMapping(db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
    const holder = await seedUser(db, 'holder@example.com', ['Creators']);
    const bundle = await seedUser(db, 'bundle@example.com', ['Bundle']);
    const plain = await seedUser(db, 'plain@example.com', ['Creators']);
    await service.decideUser(holder, actor);
    await service.decideUser(bundle, actor);
    await service.decideUser(plain, actor);
    await db.prisma.user.update({ where: { id: holder }, data: { active: false } });
    await service.decideUser(holder, actor);
    expect(await holdings(db, bundle)).toEqual([]);
    expect(await holdings(db, plain)).toEqual(['bot-creator']);
  });

  it('grants a waiting user after a capacity raise', async () => {
    await seedLicenses(db, specLicenses(0));
    await seedMapping(db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
    const u = await seedUser(db, 'u@example.com', ['Creators']);
    await service.decideUser(u, actor);
    await db.prisma.license.update({ where: { key: 'bot-creator' }, data: { capacity: 1 } });
    expect(await service.grantWaiting(['bot-creator'])).toBe(1);
    expect(await holdings(db, u)).toEqual(['bot-creator']);
  });
});

describe('manual allocation', () => {
  it('is preserved by later decisions and revoked only with redistributeManual', async () => {
    await seedLicenses(db, specLicenses(2));
    await seedMapping(db, { idpGroup: 'Citizens', licenses: ['citizen-developer'] });
    const u = await seedUser(db, 'm@example.com', ['Citizens']);
    const assigned = await service.assign(u, 'bot-creator', 'admin:test');
    expect(await holdings(db, u)).toEqual(['bot-creator(manual)']);
    expect(assigned.before).toEqual([]);
    const again = await service.decideUser(u, actor);
    expect(again.decision.reason).toBe('MANUAL_PRESERVED');
    expect(await holdings(db, u)).toEqual(['bot-creator(manual)']);
    await service.decideUser(u, { ...actor, redistributeManual: true });
    expect(await holdings(db, u)).toEqual(['citizen-developer']);
  });

  it('never over-allocates: assigning a full license answers 409 with the seat count', async () => {
    await seedLicenses(db, specLicenses(1));
    const a = await seedUser(db, 'a@example.com');
    const b = await seedUser(db, 'b@example.com');
    await service.assign(a, 'bot-creator', 'admin:test');
    const err = await service.assign(b, 'bot-creator', 'admin:test').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(409);
    expect((err as AppError).message).toMatch(/capacity 1, used 1/);
    expect(await holdings(db, b)).toEqual([]);
  });

  it('revoking releases the seat, audits before/after and wakes the waitlist', async () => {
    await seedLicenses(db, specLicenses(1));
    await seedMapping(db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
    const a = await seedUser(db, 'a@example.com');
    const w = await seedUser(db, 'w@example.com', ['Creators']);
    await service.assign(a, 'bot-creator', 'admin:test');
    await service.decideUser(w, actor);
    const d = await service.revoke('a@example.com', 'bot-creator', 'admin:test');
    expect(d.before).toEqual([{ key: 'bot-creator', origin: 'manual' }]);
    expect(d.after).toEqual([]);
    expect(await holdings(db, w)).toEqual(['bot-creator']);
  });

  it('unknown user, license or allocation → 404', async () => {
    await seedLicenses(db, specLicenses(1));
    const a = await seedUser(db, 'a@example.com');
    await expect(service.assign('nobody@example.com', 'bot-creator', 'admin:t')).rejects.toMatchObject({ status: 404 });
    await expect(service.assign(a, 'no-such-license', 'admin:t')).rejects.toMatchObject({ status: 404 });
    await expect(service.revoke(a, 'bot-creator', 'admin:t')).rejects.toMatchObject({ status: 404 });
  });
});

describe('explain', () => {
  it('recomputes the current decision and returns the last persisted one', async () => {
    await seedLicenses(db, specLicenses(1));
    await seedMapping(db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
    const u = await seedUser(db, 'e@example.com', ['Creators']);
    expect((await service.explain(u)).last).toBeNull();
    await service.decideUser(u, actor);
    await setGroups(db, u, []);
    const e = await service.explain('E@example.com');
    expect(e.last?.reason).toBe('ALLOCATED');
    expect(e.current.reason).toBe('NO_MAPPING');
    expect(await holdings(db, u)).toEqual(['bot-creator']);
  });
});

describe.runIf(usingPostgres())('concurrency on PostgreSQL', () => {
  it('40 concurrent decisions for a 7-seat license grant exactly 7 seats', async () => {
    await seedLicenses(db, specLicenses(7));
    await seedMapping(db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
    const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => seedUser(db, `c${i}@example.com`, ['Creators'])));
    const results = await Promise.all(ids.map((id) => service.decideUser(id, actor)));
    expect(results.filter((r) => r.decision.reason === 'ALLOCATED')).toHaveLength(7);
    expect(results.filter((r) => r.decision.reason === 'BUNDLE_UNAVAILABLE')).toHaveLength(33);
    expect((await poolUsed(db))['bot-creator']).toBe(7);
    expect(await db.prisma.allocation.count()).toBe(7);
  });

  it('concurrent decisions for one user serialise on the user row', async () => {
    await seedLicenses(db, specLicenses(3));
    await seedMapping(db, { idpGroup: 'Creators', licenses: ['bot-creator', 'bot-insight'] });
    const u = await seedUser(db, 'same@example.com', ['Creators']);
    await Promise.all(Array.from({ length: 10 }, () => service.decideUser(u, actor)));
    expect(await holdings(db, u)).toEqual(['bot-creator', 'bot-insight']);
    expect(await db.prisma.auditEvent.count({ where: { userId: u, reason: 'ALLOCATED' } })).toBe(1);
  });
});

describe('decision context cache', () => {
  it('sees mapping and policy changes made after it was filled, and ignores rolled-back ones', async () => {
    await seedLicenses(db, specLicenses(5));
    const mapping = await seedMapping(db, { idpGroup: 'Team', licenses: ['bot-creator'] });
    const u = await seedUser(db, 'cache@example.com', ['Team']);
    await service.decideUser(u, actor);
    expect(await holdings(db, u)).toEqual(['bot-creator']);

    await db.prisma.groupMapping.update({ where: { id: mapping }, data: { licenses: ['citizen-developer'] } });
    await service.decideUser(u, actor);
    expect(await holdings(db, u)).toEqual(['citizen-developer']);

    // A transaction that changes the mapping, decides with it, then rolls back.
    await expect(
      service.transaction('test', async (tx, attempt) => {
        await tx.groupMapping.update({ where: { id: mapping }, data: { licenses: ['attended-bot-runner'] } });
        await service.decideInTx(tx, u, attempt, actor);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await service.decideUser(u, actor);
    expect(await holdings(db, u)).toEqual(['citizen-developer']);

    await db.prisma.settings.update({ where: { id: 1 }, data: { policy: { adminRoles: ['AAE_Basic'] } } });
    await service.decideUser(u, actor);
    expect(await holdings(db, u)).toEqual(['bot-insight']);
  });
});
