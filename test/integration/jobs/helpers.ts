/**
 * Job services over a test database, and a compact view of who holds what.
 */
import type { Db } from '../../../src/db/client.js';
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

/** Gives a user a row directly (the seat counted), to set up holdings before a run. */
export async function give(db: Db, userId: string, key: string, origin: 'mapping' | 'manual' = 'mapping'): Promise<void> {
  const license = await db.prisma.license.findUniqueOrThrow({ where: { key } });
  await db.prisma.$transaction([
    db.prisma.license.update({ where: { key }, data: { used: { increment: 1 } } }),
    db.prisma.allocation.create({ data: { userId, licenseKey: key, kind: license.kind, origin } }),
  ]);
}
