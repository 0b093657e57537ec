/**
 * SPEC §4 "many app instances on one PostgreSQL never over-allocate" (issue 9): two real
 * `allot serve` processes, 500 distinct users logging in at once for a license of 20 seats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../src/allocation/invariants.js';
import { runCli } from '../../helpers/cli.js';
import { createTestIdp } from '../../helpers/idp.js';
import { seedLicenses, seedMapping } from '../../helpers/seed.js';
import { createTestDb, usingPostgres, type TestDb } from '../../helpers/test-db.js';
import { mapLimit, me, postAcs, startCluster, type AcsResult, type Cluster } from './cluster.js';

const USERS = 500;
const SEATS = 20;
const IN_FLIGHT = 50;

describe.skipIf(!usingPostgres())('two allot instances, 500 concurrent first logins, 20 seats', () => {
  let db: TestDb;
  let cluster: Cluster;
  const idp = createTestIdp();
  const nameIds = Array.from({ length: USERS }, (_, i) => `crowd${String(i).padStart(3, '0')}@example.com`);
  let results: AcsResult[] = [];

  beforeAll(async () => {
    db = await createTestDb();
    await seedLicenses(db, [{ key: 'bot-creator', capacity: SEATS }]);
    await seedMapping(db, { idpGroup: 'Engineers', licenses: ['bot-creator'], autoProvision: true });
    const responses: string[] = [];
    for (const nameId of nameIds) responses.push((await idp.mint({ nameId, groups: ['Engineers'], email: nameId })).base64);
    // One connection per request in flight on each instance: no request waits for the pool.
    cluster = await startCluster(db, idp, { poolSize: IN_FLIGHT / 2 });
    const [a, b] = cluster.instances;
    results = await mapLimit(responses, IN_FLIGHT, (r, i) => postAcs((i % 2 === 0 ? a! : b!).base, r));
    if (results.some((r) => r.status !== 303)) {
      // Why, for the report: the servers log every failure with its reason.
      for (const x of cluster.instances) console.log(x.proc.output().split('\n').filter((l) => l.includes('"error"')).slice(0, 5).join('\n'));
    }
  }, 600_000);

  afterAll(async () => {
    await cluster?.stop();
    await db?.destroy();
  });

  it('answers every login with a landing redirect, never an error', () => {
    const statuses = new Map<number, number>();
    for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    expect(Object.fromEntries(statuses)).toEqual({ 303: USERS });
    expect(results.every((r) => r.cookie !== null && r.location === '/')).toBe(true);
  });

  it('gives the license to exactly 20 users and never over-allocates', async () => {
    const license = await db.prisma.license.findUniqueOrThrow({ where: { key: 'bot-creator' } });
    expect(license.used).toBe(SEATS);
    expect(await db.prisma.allocation.count({ where: { licenseKey: 'bot-creator' } })).toBe(SEATS);
    expect(await db.prisma.user.count()).toBe(USERS);
    expect(await checkInvariants(db.prisma)).toEqual([]);
  });

  it('shows every other user the sold-out landing (BUNDLE_UNAVAILABLE naming bot-creator)', async () => {
    const [a, b] = cluster.instances;
    const views = await mapLimit(results, 20, (r, i) => me((i % 2 === 0 ? b! : a!).base, r.cookie!));
    const holders = views.filter((v) => v.licenses.length > 0);
    const waiting = views.filter((v) => v.licenses.length === 0);
    expect(holders).toHaveLength(SEATS);
    expect(holders.every((v) => v.reason === 'ALLOCATED' && v.licenses[0]!.key === 'bot-creator')).toBe(true);
    expect(waiting).toHaveLength(USERS - SEATS);
    expect(waiting.every((v) => v.reason === 'BUNDLE_UNAVAILABLE' && v.missing.join() === 'bot-creator')).toBe(true);
    expect(await db.prisma.user.count({ where: { waitingSince: { not: null } } })).toBe(USERS - SEATS);
  });

  it('writes exactly one audit row granting the seat per holder', async () => {
    const grants = await db.prisma.$queryRaw<{ user_id: string }[]>`
      SELECT user_id::text FROM audit_event
      WHERE after @> '[{"key":"bot-creator"}]'::jsonb AND NOT COALESCE(before, '[]'::jsonb) @> '[{"key":"bot-creator"}]'::jsonb`;
    const holders = await db.prisma.allocation.findMany({ where: { licenseKey: 'bot-creator' }, select: { userId: true } });
    expect(grants).toHaveLength(SEATS);
    expect(grants.map((g) => g.user_id).sort()).toEqual(holders.map((h) => h.userId).sort());
    expect(await db.prisma.auditEvent.count({ where: { action: 'login' } })).toBe(USERS);
  });

  it('passes `allot check`', async () => {
    const r = await runCli(['check'], { DATABASE_URL: db.url });
    expect(r.stdout).toContain('ok: the invariants hold');
    expect(r.code).toBe(0);
  });
});
