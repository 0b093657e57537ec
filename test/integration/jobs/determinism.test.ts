/**
 * SPEC §3: the outcome depends only on the data, never on the batch size; and the runner, batch by
 * batch in the database, reaches exactly what the pure planner computes in memory.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../src/allocation/invariants.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';
import { allHoldings, jobsFor, plannedHoldings, redistribute, seedPopulation } from './helpers.js';

const dbs: TestDb[] = [];
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((d) => d.destroy()));
});

async function population(): Promise<TestDb> {
  const db = await createTestDb();
  dbs.push(db);
  await seedPopulation(db, 42, 60);
  return db;
}

describe('determinism', { timeout: 240_000 }, () => {
  it('gives the same holdings and totals for batch sizes 1, 7 and 500, equal to the pure plan', { timeout: 240_000 }, async () => {
    const results: { holdings: Record<string, string[]>; totals: unknown }[] = [];
    let planned: Record<string, string[]> | undefined;
    for (const batchSize of [1, 7, 500]) {
      const db = await population();
      planned ??= (await plannedHoldings(db, false)).holdings;
      const job = await redistribute(jobsFor(db, { batchSize }));
      expect(job.status).toBe('succeeded');
      expect(await checkInvariants(db.prisma)).toEqual([]);
      results.push({ holdings: await allHoldings(db), totals: (job.summary as { totals: unknown }).totals });
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    expect(results[0]!.holdings).toEqual(planned);
    // The population is contended: many users move, some wait.
    const totals = results[0]!.totals as { moved: number; reasons: Record<string, number> };
    expect(totals.moved).toBeGreaterThan(10);
    expect(totals.reasons['BUNDLE_UNAVAILABLE']).toBeGreaterThan(0);
  });

  it('with redistributeManual, matches the pure plan too', async () => {
    const db = await population();
    const planned = (await plannedHoldings(db, true)).holdings;
    await redistribute(jobsFor(db, { batchSize: 9 }), { redistributeManual: true });
    expect(await allHoldings(db)).toEqual(planned);
    expect(await checkInvariants(db.prisma)).toEqual([]);
  });

  it('a dry run writes nothing and reports the totals the real run then reaches', async () => {
    const db = await population();
    const before = await allHoldings(db);
    const auditBefore = await db.prisma.auditEvent.count();
    const jobs = jobsFor(db, { batchSize: 7 });
    const dry = await redistribute(jobs, { dryRun: true });
    expect(dry.status).toBe('succeeded');
    expect(await allHoldings(db)).toEqual(before);
    expect(await db.prisma.auditEvent.count()).toBe(auditBefore);
    const planned = (await plannedHoldings(db, false)).holdings;
    const real = await redistribute(jobs);
    const drySummary = dry.summary as { totals: unknown; licensesAfter: unknown; diff: { nameId: string; after: { key: string }[] }[] };
    const realSummary = real.summary as { totals: unknown; licensesAfter: unknown };
    expect(drySummary.totals).toEqual(realSummary.totals);
    expect(drySummary.licensesAfter).toEqual(realSummary.licensesAfter);
    const after = await allHoldings(db);
    for (const d of drySummary.diff) expect(d.after.map((r) => r.key).sort()).toEqual(after[d.nameId]!.map((k) => k.replace('(manual)', '')).sort());
    expect(after).toEqual(planned);
  });
});
