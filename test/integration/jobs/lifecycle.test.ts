/**
 * A job's life: one at a time, cancel between batches, logins during a job, and a job whose
 * process stops mid-way resumed by another instance to the same result.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../src/allocation/invariants.js';
import type { RunningJobService } from '../../../src/jobs/service.js';
import { ConflictError } from '../../../src/shared/errors.js';
import { checkThenDestroy, createTestDb, type TestDb } from '../../helpers/test-db.js';
import { allHoldings, allocationFor, jobsFor, plannedHoldings, redistribute, seedPopulation } from './helpers.js';

let db: TestDb;
const all = { scope: { all: true as const }, redistributeManual: false, dryRun: false };

beforeEach(async () => {
  db = await createTestDb({ poolSize: 10 });
  await seedPopulation(db, 7, 30);
});
afterEach(() => checkThenDestroy(db));

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

describe('job lifecycle', { timeout: 240_000 }, () => {
  it('refuses a second redistribution while one runs, naming the running job (409)', async () => {
    const g = gate();
    let first = true;
    const jobs = jobsFor(db, { batchSize: 2, hooks: { afterBatch: async () => { if (first) { first = false; await g.wait; } } } });
    const running = await jobs.startRedistribution(all, 'test');
    const second = jobs.startRedistribution({ ...all, dryRun: true }, 'test');
    await expect(second).rejects.toBeInstanceOf(ConflictError);
    await expect(second).rejects.toMatchObject({ status: 409, details: { runningJob: running.id } });
    g.open();
    await jobs.idle();
    expect((await jobs.get(running.id)).status).toBe('succeeded');
    const again = await redistribute(jobs);
    expect(again.status).toBe('succeeded');
  });

  it('cancels between batches: the job stops, what committed stays consistent', async () => {
    let batches = 0;
    const jobs: RunningJobService = jobsFor(db, { batchSize: 3, hooks: { afterBatch: async ({ jobId }) => { if (++batches === 2) await jobs.cancel(jobId, 'admin:test'); } } });
    const job = await jobs.startRedistribution(all, 'test');
    await jobs.idle();
    const done = await jobs.get(job.id);
    expect(done.status).toBe('cancelled');
    expect(done.finishedAt).not.toBeNull();
    expect(batches).toBe(2);
    expect(await db.prisma.auditEvent.count({ where: { action: 'redistribution.cancel', actor: 'admin:test', subject: job.id } })).toBe(1);
    await expect(jobs.cancel(job.id, 'admin:test')).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('lets logins go on during a job; both end consistent', async () => {
    const { service } = allocationFor(db);
    const someone = (await db.prisma.user.findFirstOrThrow({ where: { active: true }, orderBy: { nameId: 'desc' } })).id;
    let login: Promise<unknown> | undefined;
    const jobs = jobsFor(db, { batchSize: 2, hooks: { afterBatch: () => { login ??= service.decideUser(someone, { actor: 'saml:someone', action: 'login' }); } } });
    const job = await redistribute(jobs);
    await expect(login).resolves.toBeDefined();
    expect(job.status).toBe('succeeded');
  });

  it('a job whose process stops mid-way is resumed by another instance to the result of an uninterrupted run', async () => {
    const { holdings: expected } = await plannedHoldings(db);

    let batches = 0;
    const first: RunningJobService = jobsFor(db, { batchSize: 2, hooks: { afterBatch: () => { if (++batches === 9) void first.stop(); } } });
    const job = await first.startRedistribution(all, 'test');
    await first.idle();
    const abandoned = await first.get(job.id);
    expect(abandoned.status).toBe('running');
    expect(await checkInvariants(db.prisma)).toEqual([]);

    const second = jobsFor(db, { batchSize: 2, staleAfterMs: 0 });
    expect(await second.recover()).toEqual([job.id]);
    await second.idle();
    const resumed = await second.get(job.id);
    expect(resumed.status).toBe('succeeded');
    expect(resumed.processed).toBe(resumed.total);
    const holdings = await allHoldings(db);
    expect(Object.fromEntries(Object.entries(holdings).filter(([n]) => n in expected))).toEqual(expected);
  });
});
