/**
 * Runs one redistribution job (SPEC §3) batch by batch, each batch one short transaction that
 * also saves the job's cursor and summary: a crash loses at most the batch in flight, and a
 * resumed job carries on from the last commit. Before each batch the job row is locked and the
 * ownership checked, so a cancel lands between batches and a job taken over by another process
 * (stale heartbeat) stops here.
 */
import type { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../db/client.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { withSqlTx, withTx } from '../db/transaction.js';
import type { SqlTx } from '../db/sql-tx.js';
import type { ContextCache } from '../allocation/context-cache.js';
import { loadPools } from '../allocation/snapshot.js';
import { createTotals } from '../domain/plan-totals.js';
import { createLedger } from '../domain/seat-ledger.js';
import type { Metrics } from '../http/metrics.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { BatchUser, Keyset } from './batch-load.js';
import { decideBatch, readPage, releaseBatch, type BatchEnv, type BatchResult, type DryState, type Page } from './redistribution-batch.js';
import { evictBatch } from './evictions.js';
import * as repo from './job.repo.js';
import { countScope, resolveScope, scopeCondition } from './redistribution-scope.js';
import { phaseAfter, type LicenseState, type Phase, type RedistributionCursor, type RedistributionSummary } from './redistribution-state.js';
import type { RedistributionParams } from './types.js';

export interface RunnerHooks {
  /** Called after each committed batch (tests use it to act mid-job). */
  afterBatch?(progress: { jobId: string; phase: string; processed: number }): Promise<void> | void;
}

export interface RunnerDeps {
  readonly db: Db;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly contexts: ContextCache;
  /** This process's id, written into the job cursor by the claim. */
  readonly owner: string;
  readonly defaultBatchSize: number;
  /** Grants waiting users once the job freed seats of these keys. */
  grantWaiting(keys: readonly string[]): Promise<number>;
  readonly hooks?: RunnerHooks;
  /** True once the process shuts down: the job is left running, for any instance to resume. */
  stopping(): boolean;
}

const BATCH_RETRIES = 8;

export type RunOutcome = 'succeeded' | 'cancelled' | 'lost' | 'stopped';

interface State {
  cursor: RedistributionCursor;
  summary: RedistributionSummary;
  processed: number;
  total: number;
  dry: DryState | null;
}

/** Runs a job this process has claimed, to its end. Throws on failure (the caller records it). */
export async function runRedistribution(deps: RunnerDeps, jobId: string): Promise<RunOutcome> {
  const job = await repo.get(deps.db, jobId);
  const params = job.params as unknown as RedistributionParams;
  const resumed = await resume(deps, job.id, params, job);
  if (resumed === 'lost' || resumed === 'cancelled') return resumed;
  const run: Run = { deps, jobId, params, actor: `job:${job.id}`, limit: params.batchSize ?? deps.defaultBatchSize, scope: resumed.cursor.scope, auditFrom: resumed.cursor.auditFrom };
  // Two batches overlap on PostgreSQL (see startBatch); PGlite runs one transaction at a time and
  // a dry run keeps its seats in memory, so those go one batch after the other.
  const pipelined = deps.db.kind === 'postgres' && !params.dryRun;
  let state: State = resumed;
  let current: Batch | null = null;
  while (state.cursor.phase !== 'done') {
    if (deps.stopping()) {
      // A batch that read ahead is already under way: let it end (commit or roll back) first.
      await current?.done.catch(() => undefined);
      return 'stopped';
    }
    current ??= startBatch(run, Promise.resolve(state), null);
    const page: PageEnd | null = await current.page;
    const ack = deferred<State>();
    const next: Batch | null = pipelined && page?.full && !deps.stopping() ? startBatch(run, ack.promise, page) : null;
    let outcome: State | 'lost' | 'cancelled';
    try {
      outcome = await current.done;
    } catch (e) {
      ack.reject(e);
      if (next) await next.done.catch(() => undefined);
      // The batch read ahead found the cursor elsewhere (the previous batch was retried): run the
      // same batch again without reading ahead.
      if (e instanceof ReadAhead) {
        current = null;
        continue;
      }
      throw e;
    }
    if (outcome === 'lost' || outcome === 'cancelled') {
      ack.reject(new ReadAhead());
      if (next) await next.done.catch(() => undefined);
      return outcome;
    }
    state = outcome;
    deps.metrics.jobProgress.set({ job: jobId, kind: job.kind }, state.total === 0 ? 1 : state.processed / state.total);
    try {
      await deps.hooks?.afterBatch?.({ jobId, phase: state.cursor.phase, processed: state.processed });
    } finally {
      ack.resolve(state);
    }
    current = next;
  }
  await complete(deps, jobId, state);
  return 'succeeded';
}

interface Run {
  readonly deps: RunnerDeps;
  readonly jobId: string;
  readonly params: RedistributionParams;
  readonly actor: string;
  readonly limit: number;
  /** The job's scope and audit watermark, fixed when it started. */
  readonly scope: RedistributionCursor['scope'];
  readonly auditFrom: string;
}

/** Where a batch's page ended: the next batch of the same phase can read its page from there. */
interface PageEnd {
  readonly phase: PagePhase;
  readonly after: Keyset | null;
  /** A full page: the phase goes on after it. */
  readonly full: boolean;
}

interface Batch {
  /** Resolves once the batch read its page (null: no page to read ahead from, or it failed). */
  readonly page: Promise<PageEnd | null>;
  readonly done: Promise<State | 'lost' | 'cancelled'>;
}

/** Thrown into a batch that read ahead when its reading no longer fits the committed cursor. */
class ReadAhead extends Error {
  constructor() {
    super('read-ahead batch abandoned');
  }
}

/**
 * One batch in its own transaction (retried on deadlocks and lost connections), applied to the
 * state `prev` resolves with. With `ahead`, the batch reads and locks its page from there (with the
 * users' groups, rows and this job's trail) while the previous batch is still deciding and
 * writing, then waits for `prev` (that batch committed and its progress was reported) before it
 * locks the job and the pools, decides and writes: the two batches' users are disjoint, and
 * everything the decisions depend on beyond the page (pools, the job row, the settings) is read
 * after the previous commit, so the result is the one-by-one result. The database works on one batch's reads while this process decides the other's.
 */
function startBatch(run: Run, prev: Promise<State>, ahead: PageEnd | null): Batch {
  const { deps, jobId, params } = run;
  const page = deferred<PageEnd | null>();
  const publish = (phase: Phase, users: readonly BatchUser[]) =>
    page.resolve(isPagePhase(phase) ? { phase, after: users[users.length - 1]?.key ?? null, full: users.length === run.limit } : null);
  const done = retryWhileUnavailable(deps, () => withSqlTx(deps.db, async (tx) => {
    let read: Page | undefined;
    if (ahead) {
      read = await readPage({ tx, cursor: { scope: run.scope, after: ahead.after, auditFrom: run.auditFrom }, actor: run.actor, phase: ahead.phase, limit: run.limit, dry: false });
      publish(ahead.phase, read.users);
    }
    const current = await prev;
    if (ahead && (current.cursor.phase !== ahead.phase || !sameKey(current.cursor.after, ahead.after))) throw new ReadAhead();
    // A batch that read ahead already holds its users' locks: it locks the pools with the job row,
    // one round trip fewer. Otherwise the pools are locked after the page (users first, then
    // pools: the order of every decision transaction).
    const f = await repo.fence(tx, jobId, deps.owner, read !== undefined && current.dry === null);
    if (f.state !== 'own') return f.state;
    const draft = clone(current);
    const ctx = await deps.contexts.forKey(tx, f.settingsKey);
    const env: BatchEnv = {
      tx, ctx, actor: run.actor, limit: run.limit, redistributeManual: params.redistributeManual, now: deps.clock.now(),
      cursor: draft.cursor, summary: draft.summary, dry: draft.dry, pools: f.pools,
    };
    await step(env, draft, params, read, (u) => publish(current.cursor.phase, u));
    await save(tx, jobId, draft, env.now);
    return draft;
  }, {
    // A batch locks many users and pools, so it meets logins and manual edits more often than
    // they meet each other; losing a deadlock a few times must not fail the whole job.
    retries: BATCH_RETRIES,
    onRetry: (_n, _e, reason) => deps.metrics.txRetries.inc({ operation: 'redistribution.batch', reason }),
  }));
  void done.then(() => page.resolve(null), () => page.resolve(null));
  return { page: page.promise, done };
}


type PagePhase = 'release' | 'holders' | 'others';

function isPagePhase(phase: Phase): phase is PagePhase {
  return phase === 'release' || phase === 'holders' || phase === 'others';
}

function sameKey(a: Keyset | null, b: Keyset | null): boolean {
  return a === b || (a !== null && b !== null && a.createdAt === b.createdAt && a.id === b.id);
}

function deferred<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

const UNAVAILABLE_ATTEMPTS = 6;

/**
 * A batch is one transaction and its state is re-derived on every attempt, so losing the
 * connection (server restart, pg_terminate_backend) costs a retry, not the job.
 */
async function retryWhileUnavailable<T>(deps: Pick<RunnerDeps, 'logger'>, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= UNAVAILABLE_ATTEMPTS || !isDatabaseUnavailable(e)) throw e;
      deps.logger.warn('redistribution batch lost the database; retrying', { attempt, error: (e as Error).message });
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}

/** One batch of the current phase; moves to the next phase when a page comes back short. */
async function step(env: BatchEnv, s: State, params: RedistributionParams, readAhead: Page | undefined, onPage: (users: readonly BatchUser[]) => void): Promise<void> {
  const { cursor, summary } = s;
  const page = async (phase: PagePhase) => {
    const p = readAhead ?? (await readPage({ tx: env.tx, cursor, actor: env.actor, phase, limit: env.limit, dry: env.dry !== null }));
    onPage(p.users);
    return p;
  };
  const capacity = params.capacity ?? {};
  const hasCapacity = Object.keys(capacity).length > 0;
  let result: BatchResult | null = null;
  switch (cursor.phase) {
    case 'release':
      result = await releaseBatch(env, (await page('release')).users);
      summary.release.processed += result.count;
      break;
    case 'evict': {
      const keys = Object.keys(capacity).sort();
      const key = cursor.evictKey ?? keys[0];
      if (key === undefined || (await evictBatch(env, key, capacity[key] as number))) {
        const following = key === undefined ? undefined : keys[keys.indexOf(key) + 1];
        if (following === undefined) advance(s, hasCapacity);
        else cursor.evictKey = following;
      }
      return;
    }
    case 'holders':
    case 'others':
      result = await decideBatch(env, cursor.phase, await page(cursor.phase));
      s.processed += result.count;
      break;
    case 'done':
      return;
  }
  if (result.read < env.limit) advance(s, hasCapacity);
  else cursor.after = result.last;
}

function advance(s: State, hasCapacity: boolean): void {
  s.cursor.phase = phaseAfter(s.cursor.phase, hasCapacity);
  s.cursor.after = null;
  delete s.cursor.evictKey;
  s.summary.phase = s.cursor.phase;
}

/** A fresh job is initialised; a crashed one carries on from its cursor (dry runs start over). */
async function resume(deps: RunnerDeps, jobId: string, params: RedistributionParams, job: { cursor: unknown; summary: unknown; processed: number; total: number }): Promise<State | 'lost' | 'cancelled'> {
  const cursor = job.cursor as Partial<RedistributionCursor> | null;
  if (cursor?.phase && !params.dryRun) {
    return { cursor: cursor as RedistributionCursor, summary: job.summary as RedistributionSummary, processed: job.processed, total: job.total, dry: null };
  }
  return withTx(deps.db, async (tx) => {
    const f = await repo.fence(tx, jobId, deps.owner);
    if (f.state !== 'own') return f.state;
    const scope = await resolveScope(tx, params.scope);
    const [audit, total, holders, pools] = await Promise.all([
      tx.$queryRaw<{ max: string }[]>`SELECT COALESCE(MAX(id), 0)::text AS max FROM audit_event`,
      countScope(tx, scope),
      tx.$queryRaw<{ n: number }[]>`SELECT COUNT(*)::int AS n FROM app_user u WHERE ${scopeCondition(scope)} AND EXISTS (SELECT 1 FROM allocation a WHERE a.user_id = u.id)`,
      loadPools(tx),
    ]);
    const state: State = {
      cursor: { owner: deps.owner, phase: 'release', after: null, scope, auditFrom: audit[0]?.max ?? '0' },
      summary: {
        dryRun: params.dryRun,
        phase: 'release',
        release: { processed: 0, total: holders[0]?.n ?? 0 },
        totals: createTotals(),
        licensesBefore: licenses(pools.values()),
      },
      processed: 0,
      total,
      dry: params.dryRun ? { ledger: createLedger(pools), evicted: new Map() } : null,
    };
    await save(tx, jobId, state, deps.clock.now());
    return state;
  });
}

async function complete(deps: RunnerDeps, jobId: string, state: State): Promise<void> {
  const pools = state.dry ? state.dry.ledger : await loadPools(deps.db.prisma);
  const summary: RedistributionSummary = { ...state.summary, phase: 'done', licensesAfter: licenses(pools.values()) };
  await repo.finish(deps.db, jobId, deps.owner, { status: 'succeeded', summary: summary as unknown as Prisma.InputJsonValue }, deps.clock.now());
  deps.metrics.jobProgress.remove({ job: jobId, kind: repo.REDISTRIBUTION });
  if (!state.dry) await freeSeats(deps, state.summary);
}

/** Seats the job gave back go to the waitlist (users outside a scoped job, or freed by a cancel). */
export async function freeSeats(deps: Pick<RunnerDeps, 'grantWaiting' | 'logger'>, summary: RedistributionSummary | null): Promise<void> {
  const keys = Object.entries(summary?.totals.licenses ?? {})
    .filter(([, f]) => f.released > 0)
    .map(([k]) => k);
  if (keys.length === 0) return;
  try {
    await deps.grantWaiting(keys);
  } catch (e) {
    deps.logger.warn('waitlist grant after redistribution failed', { error: (e as Error).message });
  }
}

async function save(tx: SqlTx, jobId: string, s: State, now: Date): Promise<void> {
  // The dry-run diff is written once, at the end: it may be large and is useless half-built.
  const { diff: _diff, ...summary } = s.summary;
  await repo.saveProgress(
    tx,
    jobId,
    {
      processed: s.processed,
      total: s.total,
      cursor: s.cursor as unknown as Prisma.InputJsonValue,
      summary: summary as unknown as Prisma.InputJsonValue,
    },
    now,
  );
}

function licenses(pools: Iterable<{ key: string; capacity: number; used: number }>): LicenseState[] {
  return [...pools].map((p) => ({ key: p.key, capacity: p.capacity, used: p.used })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function clone(s: State): State {
  return {
    cursor: structuredClone(s.cursor),
    summary: structuredClone(s.summary),
    processed: s.processed,
    total: s.total,
    dry: s.dry ? { ledger: new Map(s.dry.ledger), evicted: new Map(s.dry.evicted) } : null,
  };
}
