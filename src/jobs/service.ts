/**
 * The redistribution job service (SPEC §3): starts jobs (one active per database), runs them in
 * the background of this process with a heartbeat, resumes jobs whose process died (heartbeat
 * older than jobs.staleAfterMs) at start and on every poll, and runs the optional schedule.
 * Only jobs of kind `redistribution` are claimed here; other kinds belong to other services.
 */
import { randomUUID } from 'node:crypto';
import type { Prisma } from '../generated/prisma/client.js';
import type { AllocationService } from '../allocation/service.js';
import { createContextCache } from '../allocation/context-cache.js';
import { writeAudit } from '../audit/write.js';
import type { Db } from '../db/client.js';
import type { Metrics } from '../http/metrics.js';
import type { Clock } from '../shared/clock.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { runWithContext } from '../shared/request-context.js';
import * as repo from './job.repo.js';
import { freeSeats, runRedistribution, type RunnerHooks } from './redistribution-runner.js';
import { resolveScope } from './redistribution-scope.js';
import type { RedistributionSummary } from './redistribution-state.js';
import { startSchedule, type Schedule } from './scheduler.js';
import type { JobService, RedistributionParams } from './types.js';

export interface JobServiceDeps {
  readonly db: Db;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly allocation: Pick<AllocationService, 'grantWaiting'>;
}

export interface JobServiceOptions {
  readonly batchSize: number;
  readonly staleAfterMs: number;
  readonly pollIntervalMs: number;
  readonly schedule?: string | undefined;
  readonly hooks?: RunnerHooks;
}

export interface RunningJobService extends JobService {
  /** Resumes stale jobs, then polls for more and starts the schedule. */
  start(): Promise<void>;
  /** Stops polling and the schedule; running jobs stop after their batch, left for resumption. */
  stop(): Promise<void>;
  /** Claims and resumes every stale redistribution; returns their ids. */
  recover(): Promise<string[]>;
}

export function createJobService(deps: JobServiceDeps, opts: JobServiceOptions): RunningJobService {
  const { db, logger, clock } = deps;
  const owner = randomUUID();
  const contexts = createContextCache();
  const running = new Map<string, Promise<void>>();
  let stopping = false;
  let poll: NodeJS.Timeout | undefined;
  let schedule: Schedule | undefined;

  const runnerDeps = {
    ...deps,
    contexts,
    owner,
    defaultBatchSize: opts.batchSize,
    grantWaiting: (keys: readonly string[]) => deps.allocation.grantWaiting(keys),
    stopping: () => stopping,
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
  };

  function launch(id: string): void {
    if (running.has(id) || stopping) return;
    // The job outlives the request that started it: its logs carry the job, not the request.
    const task = runWithContext({ requestId: `job:${id}`, actor: `job:${id}` }, async () => {
      if (!(await repo.claim(db, id, owner, opts.staleAfterMs, clock.now()))) return;
      const beat = setInterval(() => void repo.beat(db, id, owner, clock.now()).catch(() => {}), Math.max(50, opts.staleAfterMs / 3));
      beat.unref();
      try {
        const outcome = await runRedistribution(runnerDeps, id);
        logger.info('redistribution ended', { job: id, outcome });
        if (outcome === 'cancelled') {
          const job = await repo.get(db, id);
          await freeSeats(runnerDeps, job.summary as unknown as RedistributionSummary);
        }
      } catch (e) {
        logger.error('redistribution failed', { job: id, error: (e as Error).message });
        await repo.finish(db, id, owner, { status: 'failed', error: (e as Error).message }, clock.now()).catch(() => {});
      } finally {
        clearInterval(beat);
        deps.metrics.jobProgress.remove({ job: id, kind: repo.REDISTRIBUTION });
      }
    }).finally(() => running.delete(id));
    running.set(id, task);
  }

  async function startRedistribution(params: RedistributionParams, actor: string, scheduledFor?: string) {
    await validate(db, params);
    const stored: RedistributionParams = scheduledFor ? { ...params, scheduledFor } : params;
    const r = await repo.createExclusive(
      db,
      { kind: repo.REDISTRIBUTION, actor, params: stored as unknown as Prisma.InputJsonValue, ...(scheduledFor ? { scheduledFor } : {}) },
      opts.staleAfterMs,
      clock.now(),
    );
    if ('active' in r) {
      if (r.active.stale) launch(r.active.job.id);
      throw repo.conflictWith(r.active.job);
    }
    logger.info('redistribution queued', { job: r.created.id, actor, params: stored });
    launch(r.created.id);
    return repo.toView(r.created);
  }

  async function recover(): Promise<string[]> {
    const stale = await repo.findStale(db, repo.REDISTRIBUTION, opts.staleAfterMs, clock.now());
    for (const job of stale) {
      if (running.has(job.id)) continue;
      logger.warn('resuming stale redistribution', { job: job.id, status: job.status, heartbeat: job.heartbeat?.toISOString() ?? null });
      launch(job.id);
    }
    return stale.map((j) => j.id);
  }

  return {
    startRedistribution: (params, actor) => startRedistribution(params, actor),
    get: async (id) => repo.toView(await repo.get(db, id)),
    list: async (o) => {
      const page = await repo.list(db, repo.REDISTRIBUTION, o);
      return { items: page.items.map(repo.toView), nextCursor: page.nextCursor };
    },
    async cancel(id, actor) {
      const job = await repo.cancel(db, id, clock.now());
      await db.prisma.$transaction((tx) => writeAudit(tx, { actor, action: 'redistribution.cancel', subject: id }));
      logger.info('redistribution cancelled', { job: id, actor });
      return repo.toView(job);
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
    recover,
    async start() {
      await recover();
      poll = setInterval(() => void recover().catch((e) => logger.warn('stale job poll failed', { error: (e as Error).message })), opts.pollIntervalMs);
      poll.unref();
      if (opts.schedule) {
        schedule = startSchedule(
          opts.schedule,
          async (slot) => {
            try {
              await startRedistribution({ scope: { all: true }, redistributeManual: false, dryRun: false }, 'system:schedule', slot.toISOString());
            } catch (e) {
              logger.info('scheduled redistribution not started', { slot: slot.toISOString(), reason: (e as Error).message });
            }
          },
          logger,
        );
      }
    },
    async stop() {
      stopping = true;
      if (poll) clearInterval(poll);
      schedule?.stop();
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
  };
}

async function validate(db: Db, params: RedistributionParams): Promise<void> {
  if (params.batchSize !== undefined && (!Number.isInteger(params.batchSize) || params.batchSize < 1 || params.batchSize > 100_000)) {
    throw new ValidationError('batchSize must be an integer from 1 to 100000', { batchSize: params.batchSize });
  }
  await resolveScope(db.prisma, params.scope);
  for (const [key, capacity] of Object.entries(params.capacity ?? {})) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new ValidationError(`capacity of ${key} must be a non-negative integer`, { key, capacity });
    if (!(await db.prisma.license.findUnique({ where: { key } }))) throw new NotFoundError('license', key);
  }
}
