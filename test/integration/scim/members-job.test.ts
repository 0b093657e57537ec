/**
 * A group PATCH touching more than 200 members answers at once and hands the re-decisions to a
 * persisted `scim.members` job; the allocations converge (polled, never timed), and a job a
 * previous process left unfinished is resumed when the feature mounts.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { adminApi } from '../../../src/admin/api.js';
import { checkInvariants } from '../../../src/allocation/invariants.js';
import { createToken } from '../../../src/auth/tokens.js';
import { createApp } from '../../../src/http/app.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';
import { seedLicenses, seedMapping, specLicenses } from '../../helpers/seed.js';
import { eventually, groupBody, patchBody, resetScimData, scimClient, type ScimClient } from '../../helpers/scim.js';

let db: TestDb;
let scim: ScimClient;
const N = 250;

beforeAll(async () => {
  db = await createTestDb();
  scim = await scimClient(db);
  await seedLicenses(db, specLicenses(1000));
  await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer'] });
});
beforeEach(() => resetScimData(db));
afterEach(async () => {
  expect(await checkInvariants(db.prisma)).toEqual([]);
});
afterAll(() => db.destroy());

async function seedUsers(n: number): Promise<string[]> {
  const names = Array.from({ length: n }, (_, i) => `bulk${String(i).padStart(4, '0')}@example.com`);
  await db.prisma.user.createMany({ data: names.map((nameId) => ({ nameId, nameIdLower: nameId })) });
  const rows = await db.prisma.user.findMany({ select: { id: true }, orderBy: { nameId: 'asc' } });
  return rows.map((r) => r.id);
}

const holders = (key: string): Promise<number> => db.prisma.allocation.count({ where: { licenseKey: key } });

async function jobDone(id: string): Promise<boolean> {
  const job = await db.prisma.job.findUniqueOrThrow({ where: { id } });
  if (job.status === 'failed') throw new Error(`job failed: ${String(job.error)}`);
  return job.status === 'succeeded';
}

describe('large membership changes', () => {
  it(`a PATCH adding ${N} members answers 204 with a scim.members job, and every member converges to the license`, async () => {
    const ids = await seedUsers(N);
    const g = ((await scim.post('/Groups', groupBody('Dev1')).expect(201)).body as { id: string }).id;
    const res = await scim.patch(`/Groups/${g}`, patchBody({ op: 'Add', path: 'members', value: ids.map((value) => ({ value })) })).expect(204);
    const jobId = res.headers['x-allot-job'];
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await db.prisma.membership.count({ where: { source: 'scim', groupName: 'Dev1' } })).toBe(N);
    const job = await db.prisma.job.findUniqueOrThrow({ where: { id: String(jobId) } });
    expect(job).toMatchObject({ kind: 'scim.members', actor: 'scim:entra', total: N });
    await eventually(() => jobDone(String(jobId)));
    expect(await holders('citizen-developer')).toBe(N);
    const done = await db.prisma.job.findUniqueOrThrow({ where: { id: String(jobId) } });
    expect(done).toMatchObject({ processed: N, summary: { ALLOCATED: N } });
    expect(await db.prisma.auditEvent.count({ where: { actor: 'scim:entra', action: 'scim.group.members', userId: { in: ids } } })).toBeGreaterThanOrEqual(N);

    // The administrator sees the job through the admin API.
    const api = createApp(scim.deps, [adminApi]);
    const { token } = await createToken(db, 'ops', 'read');
    const viaApi = await request(api).get(`/api/v1/jobs/${String(jobId)}`).set('Authorization', `Bearer ${token}`).expect(200);
    expect(viaApi.body).toMatchObject({ id: jobId, kind: 'scim.members', status: 'succeeded', processed: N, total: N });
    const listed = await request(api).get('/api/v1/jobs?kind=scim.members').set('Authorization', `Bearer ${token}`).expect(200);
    expect(listed.body.items.map((j: { id: string }) => j.id)).toContain(jobId);

    const removed = await scim.patch(`/Groups/${g}`, patchBody({ op: 'replace', path: 'members', value: [] })).expect(204);
    await eventually(() => jobDone(String(removed.headers['x-allot-job'])));
    expect(await holders('citizen-developer')).toBe(0);
    // A generous bound for a loaded machine: this test asserts convergence, not speed.
  }, 300_000);

  it('re-decides at most 200 members inline, without a job', async () => {
    const ids = await seedUsers(200);
    const res = await scim.post('/Groups', groupBody('Dev1', ids)).expect(201);
    expect(res.headers['x-allot-job']).toBeUndefined();
    expect(await holders('citizen-developer')).toBe(200);
    expect(await db.prisma.job.count({ where: { kind: 'scim.members' } })).toBe(0);
  });

  it('resumes an unfinished scim.members job at start, from its cursor, and leaves other kinds alone', async () => {
    const ids = await seedUsers(120);
    const group = await db.prisma.scimGroup.create({ data: { displayName: 'Dev1', members: { createMany: { data: ids.map((userId) => ({ userId })) } } } });
    await db.prisma.membership.createMany({ data: ids.map((userId) => ({ userId, source: 'scim' as const, groupName: 'Dev1' })) });
    const stale = new Date(Date.now() - 10 * 60_000);
    const orphan = await db.prisma.job.create({
      data: { kind: 'scim.members', status: 'running', actor: 'scim:entra', params: { groupId: group.id, userIds: ids }, total: ids.length, processed: 50, cursor: { index: 50 }, heartbeat: stale },
    });
    const other = await db.prisma.job.create({ data: { kind: 'redistribution', status: 'queued', actor: 'admin:x', params: {} } });
    await scimClient(db, {}, 'restarted');
    await eventually(() => jobDone(orphan.id));
    // The first 50 were decided by the "crashed" process in real life; here only the rest are.
    expect(await holders('citizen-developer')).toBe(70);
    expect(await db.prisma.job.findUniqueOrThrow({ where: { id: orphan.id } })).toMatchObject({ processed: 120 });
    expect((await db.prisma.job.findUniqueOrThrow({ where: { id: other.id } })).status).toBe('queued');
    await db.prisma.job.delete({ where: { id: other.id } });
  });
});
