/**
 * The `job` table: creation under an advisory lock (one active redistribution per database),
 * ownership by one process (a claim fenced by heartbeat), progress, and the final status.
 */
import type { Prisma, Job } from '../generated/prisma/client.js';
import type { Db } from '../db/client.js';
import { withTx } from '../db/transaction.js';
import type { SqlTx } from '../db/sql-tx.js';
import type { LicenseKind, Pool } from '../domain/index.js';
import { NO_SETTINGS, REVISION_KEY } from '../allocation/context-cache.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { JobStatus, JobView } from './types.js';

export const REDISTRIBUTION = 'redistribution';
/** pg_advisory_xact_lock key guarding "is a redistribution active?" and the insert that follows. */
const START_LOCK = 0x616c6c6f; // "allo"
const ACTIVE: JobStatus[] = ['queued', 'running'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toView(job: Job): JobView {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    actor: job.actor,
    params: job.params,
    processed: job.processed,
    total: job.total,
    summary: job.summary,
    error: job.error,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}

export interface ActiveJob {
  readonly job: Job;
  /** The active job's heartbeat is older than staleAfterMs: its process is presumed dead. */
  readonly stale: boolean;
}

/**
 * Inserts a queued job unless a redistribution is already active (SPEC §3: one at a time per
 * database). The check and the insert run under one transaction-scoped advisory lock, so two
 * instances asking at once cannot both succeed. A scheduled run whose slot already has a job is
 * refused the same way, so each cron slot runs once however many instances fire.
 */
export async function createExclusive(
  db: Db,
  data: { kind: string; actor: string; params: Prisma.InputJsonValue; scheduledFor?: string },
  staleAfterMs: number,
  now: Date,
): Promise<{ created: Job } | { active: ActiveJob }> {
  return withTx(db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${START_LOCK})`;
    const active = await tx.job.findFirst({ where: { kind: data.kind, status: { in: ACTIVE } }, orderBy: { createdAt: 'asc' } });
    if (active) return { active: { job: active, stale: isStale(active, staleAfterMs, now) } };
    if (data.scheduledFor) {
      const done = await tx.job.findFirst({ where: { kind: data.kind, params: { path: ['scheduledFor'], equals: data.scheduledFor } } });
      if (done) return { active: { job: done, stale: false } };
    }
    const created = await tx.job.create({ data: { kind: data.kind, actor: data.actor, params: data.params, status: 'queued' } });
    return { created };
  });
}

export function isStale(job: Pick<Job, 'heartbeat' | 'createdAt'>, staleAfterMs: number, now: Date): boolean {
  return now.getTime() - (job.heartbeat ?? job.createdAt).getTime() >= staleAfterMs;
}

export function conflictWith(job: Job): ConflictError {
  return new ConflictError(`redistribution ${job.id} is ${job.status}; wait for it to finish or cancel it`, {
    runningJob: job.id,
    status: job.status,
  });
}

/**
 * Takes ownership of a job to run it: a queued job, or an active one whose owner stopped beating.
 * Returns false when another process holds it. `owner` fences every later write (see fence).
 */
export async function claim(db: Db, id: string, owner: string, staleAfterMs: number, now: Date): Promise<boolean> {
  const staleBefore = new Date(now.getTime() - staleAfterMs);
  const n = await db.prisma.$executeRaw`
    UPDATE job SET status = 'running', heartbeat = ${now}, started_at = COALESCE(started_at, ${now}),
      cursor = jsonb_set(COALESCE(cursor, '{}'::jsonb), '{owner}', to_jsonb(${owner}::text))
    WHERE id = ${id}::uuid AND (status = 'queued' OR (status = 'running' AND COALESCE(heartbeat, created_at) <= ${staleBefore}))`;
  return n === 1;
}

export interface Fence {
  readonly state: 'own' | 'cancelled' | 'lost';
  /** The settings revision key, read in the same statement (see context-cache.ts). */
  readonly settingsKey: string;
  /** Every pool by key, locked in key order, when asked for (null otherwise). */
  readonly pools: Map<string, Pool> | null;
}

/**
 * Locks the job row for this batch and checks this process still owns a running job. The same
 * statement reads the settings revision, locks the pools in key order when asked (a batch whose
 * users are already locked), and turns off the wait for the WAL flush at this transaction's commit: a batch lost to a server crash is one the job's cursor (written in the
 * same transaction) has not passed, so the job redoes it; later commits flush it anyway.
 */
export async function fence(tx: SqlTx, id: string, owner: string, lockPools = false): Promise<Fence> {
  const rows = await tx.$queryRaw<{ status: JobStatus; owner: string | null; settings_key: string | null; pools: string | null }[]>`
    WITH p AS (SELECT key, kind::text AS kind, capacity, used FROM license WHERE ${lockPools} ORDER BY key FOR UPDATE)
    SELECT status::text AS status, cursor->>'owner' AS owner, ${REVISION_KEY} AS settings_key,
           set_config('synchronous_commit', 'off', true) AS sync,
           (SELECT json_agg(json_build_array(p.key, p.kind, p.capacity, p.used) ORDER BY p.key)::text FROM p) AS pools
    FROM job WHERE id = ${id}::uuid FOR UPDATE OF job`;
  const row = rows[0];
  const settingsKey = row?.settings_key ?? NO_SETTINGS;
  const list = row?.pools ? (JSON.parse(row.pools) as [string, LicenseKind, number, number][]) : [];
  const pools = lockPools ? new Map(list.map(([key, kind, capacity, used]) => [key, { key, kind, capacity, used }])) : null;
  if (!row || row.owner !== owner) return { state: 'lost', settingsKey, pools };
  if (row.status === 'cancelled') return { state: 'cancelled', settingsKey, pools };
  return { state: row.status === 'running' ? 'own' : 'lost', settingsKey, pools };
}

export async function saveProgress(
  tx: SqlTx,
  id: string,
  progress: { processed: number; total?: number; cursor: Prisma.InputJsonValue; summary: Prisma.InputJsonValue },
  now: Date,
): Promise<void> {
  await tx.$executeRaw`
    UPDATE job SET processed = ${progress.processed}, total = COALESCE(${progress.total ?? null}::int, total),
      cursor = ${JSON.stringify(progress.cursor)}::jsonb, summary = ${JSON.stringify(progress.summary)}::jsonb, heartbeat = ${now}
    WHERE id = ${id}::uuid`;
}

export async function beat(db: Db, id: string, owner: string, now: Date): Promise<void> {
  await db.prisma.$executeRaw`UPDATE job SET heartbeat = ${now} WHERE id = ${id}::uuid AND status = 'running' AND cursor->>'owner' = ${owner}`;
}

export async function finish(
  db: Db,
  id: string,
  owner: string,
  outcome: { status: 'succeeded' | 'failed'; error?: string; summary?: Prisma.InputJsonValue },
  now: Date,
): Promise<void> {
  await db.prisma.$executeRaw`
    UPDATE job SET status = ${outcome.status}::"JobStatus", error = ${outcome.error ?? null}, finished_at = ${now}, heartbeat = ${now},
      summary = COALESCE(${outcome.summary === undefined ? null : JSON.stringify(outcome.summary)}::jsonb, summary)
    WHERE id = ${id}::uuid AND status = 'running' AND cursor->>'owner' = ${owner}`;
}

/** Cancels a queued or running job; a running one stops before its next batch. */
export async function cancel(db: Db, id: string, now: Date): Promise<Job> {
  const job = await get(db, id);
  if (!ACTIVE.includes(job.status)) throw new ConflictError(`job ${id} is already ${job.status}`, { status: job.status });
  await db.prisma.job.updateMany({ where: { id, status: { in: ACTIVE } }, data: { status: 'cancelled', finishedAt: now } });
  return get(db, id);
}

export async function get(db: Db, id: string): Promise<Job> {
  if (!UUID.test(id)) throw new NotFoundError('job', id);
  const job = await db.prisma.job.findUnique({ where: { id } });
  if (!job) throw new NotFoundError('job', id);
  return job;
}

/** Newest first; the cursor is the last item's id. */
export async function list(
  db: Db,
  kind: string,
  opts: { status?: JobStatus; limit?: number; cursor?: string },
): Promise<{ items: Job[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  const where: Prisma.JobWhereInput = { kind, ...(opts.status ? { status: opts.status } : {}) };
  if (opts.cursor) {
    if (!UUID.test(opts.cursor)) throw new ValidationError('cursor is not a job id', { cursor: opts.cursor });
    const after = await db.prisma.job.findUnique({ where: { id: opts.cursor } });
    if (!after) throw new ValidationError('cursor names no job', { cursor: opts.cursor });
    where.OR = [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }];
  }
  const items = await db.prisma.job.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit + 1 });
  const page = items.slice(0, limit);
  return { items: page, nextCursor: items.length > limit ? (page[page.length - 1]?.id ?? null) : null };
}

/** Active jobs of `kind` whose owner stopped beating (or that were never started). */
export async function findStale(db: Db, kind: string, staleAfterMs: number, now: Date): Promise<Job[]> {
  const active = await db.prisma.job.findMany({ where: { kind, status: { in: ACTIVE } }, orderBy: { createdAt: 'asc' } });
  return active.filter((j) => isStale(j, staleAfterMs, now));
}
