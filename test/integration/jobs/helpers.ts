/**
 * Job services over a test database, and a compact view of who holds what.
 */
import type { Db } from '../../../src/db/client.js';
import { Prisma } from '../../../src/generated/prisma/client.js';
import { loadDecisionContext, loadPools } from '../../../src/allocation/snapshot.js';
import { planRedistribution } from '../../../src/domain/plan-redistribution.js';
import { loadPage } from '../../../src/jobs/batch-load.js';
import { createJobService, type RunningJobService } from '../../../src/jobs/service.js';
import type { RunnerHooks } from '../../../src/jobs/redistribution-runner.js';
import type { JobView, RedistributionParams } from '../../../src/jobs/types.js';
import { allocationFor } from '../../helpers/services.js';
import { createMetrics } from '../../../src/http/metrics.js';
import { createLogger } from '../../../src/shared/logger.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createAllocationService } from '../../../src/allocation/service.js';

export function jobsFor(db: Db, opts: { batchSize?: number; staleAfterMs?: number; hooks?: RunnerHooks } = {}): RunningJobService {
  const metrics = createMetrics({ defaultMetrics: false });
  const logger = createLogger({ level: 'error', format: 'json', silent: true });
  const allocation = createAllocationService({ db, logger, metrics, clock: systemClock });
  return createJobService(
    { db, logger, metrics, clock: systemClock, allocation },
    { batchSize: opts.batchSize ?? 500, staleAfterMs: opts.staleAfterMs ?? 60_000, pollIntervalMs: 60_000, ...(opts.hooks ? { hooks: opts.hooks } : {}) },
  );
}

export { allocationFor };

/** Starts a redistribution and waits for it to end. */
export async function redistribute(jobs: RunningJobService, params: Partial<RedistributionParams> = {}): Promise<JobView> {
  const job = await jobs.startRedistribution({ scope: { all: true }, redistributeManual: false, dryRun: false, ...params }, 'test:jobs');
  await jobs.idle();
  return jobs.get(job.id);
}

/** nameId → held keys ("key" or "key(manual)"), for every user. */
export async function allHoldings(db: Db): Promise<Record<string, string[]>> {
  const users = await db.prisma.user.findMany({ include: { allocations: { orderBy: { licenseKey: 'asc' } } }, orderBy: { nameId: 'asc' } });
  return Object.fromEntries(users.map((u) => [u.nameId, u.allocations.map((a) => (a.origin === 'manual' ? `${a.licenseKey}(manual)` : a.licenseKey))]));
}

/** What the pure planner says a full redistribution ends with, in allHoldings' shape, and how many users it moves. */
export async function plannedHoldings(db: Db, redistributeManual = false): Promise<{ holdings: Record<string, string[]>; moved: number }> {
  const { users, ctx, pools } = await db.prisma.$transaction(async (tx) => ({
    users: await loadPage(tx, Prisma.sql`TRUE`, null, 10_000, false),
    ctx: await loadDecisionContext(tx),
    pools: await loadPools(tx),
  }));
  const plan = planRedistribution({ context: ctx, pools, users, redistributeManual });
  const names = new Map(users.map((u) => [u.id, u.nameId]));
  const holdings = Object.fromEntries(
    plan.users
      .map((u) => [names.get(u.id) as string, u.after.map((r) => (r.origin === 'manual' ? `${r.key}(manual)` : r.key))] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return { holdings, moved: plan.totals.moved };
}

/** Gives a user a row directly (the seat counted), to set up holdings before a run. */
export async function give(db: Db, userId: string, key: string, origin: 'mapping' | 'manual' = 'mapping'): Promise<void> {
  const license = await db.prisma.license.findUniqueOrThrow({ where: { key } });
  await db.prisma.$transaction([
    db.prisma.license.update({ where: { key }, data: { used: { increment: 1 } } }),
    db.prisma.allocation.create({ data: { userId, licenseKey: key, kind: license.kind, origin } }),
  ]);
}

/**
 * A contended population from a seed: 6 licence types with few seats, 5 mappings, `n` users with
 * random groups, random current rows (some manual, some stale), some inactive. Same seed, same data.
 */
export async function seedPopulation(db: Db, seed: number, n: number): Promise<void> {
  let state = seed >>> 0;
  const rnd = (k: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % k;
  };
  const { seedLicenses, seedMapping, seedUser } = await import('../../helpers/seed.js');
  const caps: Record<string, number> = { 'bot-creator': Math.ceil(n / 8), 'citizen-developer': Math.ceil(n / 5), 'attended-bot-runner': Math.ceil(n / 6), 'unattended-bot-runner': 2, 'process-discovery': Math.ceil(n / 6), 'bot-insight': Math.ceil(n / 10) };
  await seedLicenses(db, Object.entries(caps).map(([key, capacity]) => ({ key, capacity })));
  await seedMapping(db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
  await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer', 'process-discovery'] });
  await seedMapping(db, { idpGroup: 'Dev2', licenses: ['attended-bot-runner', 'bot-insight'] });
  await seedMapping(db, { idpGroup: 'Runners', licenses: ['unattended-bot-runner'] });
  await seedMapping(db, { idpGroup: 'Admins', roles: ['AAE_Admin'] });
  const groups = ['Creators', 'Dev1', 'Dev2', 'Runners', 'Admins', 'Other'];
  const primaries = ['bot-creator', 'citizen-developer', 'attended-bot-runner', 'unattended-bot-runner'];
  const used: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const mine = groups.filter(() => rnd(4) === 0);
    const id = await seedUser(db, `user${String(i).padStart(4, '0')}@x`, mine, {
      active: rnd(10) !== 0,
      createdAt: new Date(Date.UTC(2026, 0, 1) + rnd(n) * 1000 + i),
    });
    const active = (await db.prisma.user.findUniqueOrThrow({ where: { id } })).active;
    const wanted = [primaries[rnd(primaries.length)] as string, ...(rnd(2) ? ['process-discovery'] : []), ...(rnd(3) ? [] : ['bot-insight'])];
    if (rnd(3) === 0 && active) {
      for (const key of wanted) {
        if ((used[key] ?? 0) >= (caps[key] as number)) continue;
        used[key] = (used[key] ?? 0) + 1;
        await give(db, id, key, rnd(6) === 0 ? 'manual' : 'mapping');
      }
    }
  }
}
