/**
 * `scim.members` jobs: the re-decisions of a large SCIM group change, persisted in the `job` table
 * (visible through the jobs API like any job) and run in this process in the background. Progress
 * and a resume cursor are saved every batch, so a restart resumes where it stopped; re-deciding a
 * user twice is harmless. Claiming is a conditional update, so of several instances only one runs
 * a job; only jobs of this kind are ever claimed here.
 */
import type { AllocationService } from '../allocation/service.js';
import type { Db } from '../db/client.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { Logger } from '../shared/logger.js';
import { decideOne } from './redecide.js';

export const MEMBERS_JOB_KIND = 'scim.members';
const BATCH = 50;
/** A running job whose heartbeat is older than this is taken to be orphaned by a dead process. */
const STALE_MS = 30_000;

export interface MembersJobParams {
  readonly groupId: string;
  readonly userIds: readonly string[];
}

export interface MembersJobs {
  /** Persists a queued job and starts it in the background; returns its id. */
  enqueue(userIds: readonly string[], actor: string, groupId: string): Promise<string>;
  /** Claims and runs unfinished jobs of this kind (at start). */
  resume(): Promise<void>;
  /** Resolves when no job of this process is running. */
  idle(): Promise<void>;
}

export function createMembersJobs(deps: { db: Db; allocation: AllocationService; logger: Logger }): MembersJobs {
  const { db, logger } = deps;
  const running = new Map<string, Promise<void>>();

  async function claim(id: string): Promise<boolean> {
    const now = new Date();
    const { count } = await db.prisma.job.updateMany({
      where: {
        id,
        kind: MEMBERS_JOB_KIND,
        OR: [{ status: 'queued' }, { status: 'running', OR: [{ heartbeat: null }, { heartbeat: { lt: new Date(now.getTime() - STALE_MS) } }] }],
      },
      data: { status: 'running', heartbeat: now, startedAt: now },
    });
    return count === 1;
  }

  async function run(id: string): Promise<void> {
    const job = await db.prisma.job.findUniqueOrThrow({ where: { id } });
    const params = job.params as unknown as MembersJobParams;
    const summary = { ...(job.summary as Record<string, number>) };
    let index = (job.cursor as { index?: number } | null)?.index ?? 0;
    try {
      while (index < params.userIds.length) {
        const batch = params.userIds.slice(index, index + BATCH);
        for (const userId of batch) {
          const reason = (await decideOne(deps.allocation, userId, job.actor)) ?? 'USER_GONE';
          summary[reason] = (summary[reason] ?? 0) + 1;
        }
        index += batch.length;
        await db.prisma.job.update({
          where: { id },
          data: { processed: index, cursor: { index }, summary: summary as Prisma.InputJsonValue, heartbeat: new Date() },
        });
      }
      await db.prisma.job.update({ where: { id }, data: { status: 'succeeded', finishedAt: new Date() } });
    } catch (e) {
      logger.error('scim.members job failed', { jobId: id, error: (e as Error).message });
      await db.prisma.job
        .update({ where: { id }, data: { status: 'failed', error: 'a re-decision failed; see the service log', finishedAt: new Date() } })
        .catch(() => {});
    }
  }

  function start(id: string): void {
    if (running.has(id)) return;
    const p = (async () => {
      if (await claim(id)) await run(id);
    })()
      .catch((e: unknown) => {
        logger.error('scim.members job could not start', { jobId: id, error: (e as Error).message });
      })
      .finally(() => running.delete(id));
    running.set(id, p);
  }

  return {
    async enqueue(userIds, actor, groupId) {
      const params: MembersJobParams = { groupId, userIds: [...userIds] };
      const job = await db.prisma.job.create({
        data: { kind: MEMBERS_JOB_KIND, actor, params: params as unknown as Prisma.InputJsonValue, total: userIds.length },
      });
      start(job.id);
      return job.id;
    },
    async resume() {
      const jobs = await db.prisma.job.findMany({
        where: { kind: MEMBERS_JOB_KIND, status: { in: ['queued', 'running'] } },
        orderBy: { createdAt: 'asc' },
        select: { id: true, status: true },
      });
      for (const j of jobs) start(j.id);
      // A job still heartbeating may belong to a process that died seconds ago: look again once
      // its heartbeat has had time to go stale (the claim fails if its owner is alive).
      const live = jobs.filter((j) => j.status === 'running');
      if (live.length > 0) setTimeout(() => live.forEach((j) => start(j.id)), STALE_MS + 1000).unref();
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
  };
}
