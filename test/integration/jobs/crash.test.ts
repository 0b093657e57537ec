/**
 * Crash safety on PostgreSQL (SPEC §3): `allot redistribute` killed with SIGKILL mid-job leaves
 * the invariants intact; another instance finds the job stale, resumes it, and reaches the result
 * an uninterrupted run gives.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../src/allocation/invariants.js';
import { runCli } from '../../helpers/cli.js';
import { adminQuery, createTestDb, usingPostgres, type TestDb } from '../../helpers/test-db.js';
import { allHoldings, jobsFor, plannedHoldings, seedPopulation } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let db: TestDb;

beforeAll(async () => {
  if (!usingPostgres()) return;
  db = await createTestDb();
  await seedPopulation(db, 11, 200);
});
afterAll(async () => {
  await db?.destroy();
});

describe.skipIf(!usingPostgres())('kill -9 mid-job', () => {
  it('leaves the invariants intact, and the job is resumed to the uninterrupted result', { timeout: 180_000 }, async () => {
    const { holdings: expected, moved } = await plannedHoldings(db);
    expect(moved).toBeGreaterThan(20);

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'redistribute', '--batch-size', '1', '--json'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'error', DATABASE_URL: db.url },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // Wait until the job has committed a few batches of its release step, then kill it.
    let job = null;
    for (let i = 0; i < 3000 && !job; i++) {
      const row = await db.prisma.job.findFirst({ where: { status: 'running' } });
      const summary = row?.summary as { release?: { processed: number } } | undefined;
      if (row && (summary?.release?.processed ?? 0) >= 5) job = row;
      else await new Promise((r) => setTimeout(r, 10));
    }
    expect(job).not.toBeNull();
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const killed = await db.prisma.job.findUniqueOrThrow({ where: { id: job!.id } });
    expect(killed.status).toBe('running');
    expect(await checkInvariants(db.prisma)).toEqual([]);
    const check = await runCli(['check'], { DATABASE_URL: db.url });
    expect(check.stdout).toContain('ok: the invariants hold');
    expect(check.code).toBe(0);

    const restarted = jobsFor(db, { batchSize: 50, staleAfterMs: 0 });
    expect(await restarted.recover()).toEqual([job!.id]);
    await restarted.idle();
    const done = await restarted.get(job!.id);
    expect(done.status).toBe('succeeded');
    expect(done.processed).toBe(done.total);
    expect(await allHoldings(db)).toEqual(expected);
    expect(await checkInvariants(db.prisma)).toEqual([]);
  });
});

describe.skipIf(!usingPostgres())('connections terminated between batches', () => {
  it('carries on with new connections and finishes (a server restart between batches)', { timeout: 180_000 }, async () => {
    const other = await createTestDb({ poolSize: 4 });
    try {
      await seedPopulation(other, 5, 40);
      const name = new URL(other.url!).pathname.slice(1);
      let batches = 0;
      const jobs = jobsFor(other, {
        batchSize: 4,
        hooks: {
          afterBatch: async () => {
            // Kill every connection of this database, the job's pool included (a server restart).
            if (++batches === 3) await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`);
          },
        },
      });
      const job = await jobs.startRedistribution({ scope: { all: true }, redistributeManual: false, dryRun: false }, 'test');
      await jobs.idle();
      const done = await jobs.get(job.id);
      expect(done.error).toBeNull();
      expect(done.status).toBe('succeeded');
      expect(batches).toBeGreaterThan(3);
      expect(await checkInvariants(other.prisma)).toEqual([]);
    } finally {
      await other.destroy();
    }
  });
});
