/**
 * One batch of the release step or of the final decisions (SPEC §3), inside the batch's
 * transaction: read the page with its locks, decide in memory with the pure steps of
 * plan-redistribution.ts, write everything with bulk statements. A dry run reads the same pages
 * without locks and keeps the seat counts in memory instead of writing.
 */
import { Prisma } from '../generated/prisma/client.js';
import type { SqlTx } from '../db/sql-tx.js';
import type { DecisionContext, HeldLicense, Pool } from '../domain/index.js';
import { acquireStep, holdingsAfter, releaseStep, withoutRows } from '../domain/plan-redistribution.js';
import { countDecision, sameHoldings } from '../domain/plan-totals.js';
import { ledgerRelease, unlimitedPools, type SeatLedger } from '../domain/seat-ledger.js';
import { loadPools } from '../allocation/snapshot.js';
import { loadPage, loadTrails, type BatchUser, type JobTrail, type Keyset } from './batch-load.js';
import { BatchWrites, writeBatch } from './batch-write.js';
import { scopeCondition } from './redistribution-scope.js';
import { DIFF_LIMIT, type RedistributionCursor, type RedistributionSummary } from './redistribution-state.js';

/** In-memory stand-in for the writes a dry run does not make. */
export interface DryState {
  readonly ledger: SeatLedger;
  readonly evicted: Map<string, HeldLicense[]>;
}

export interface BatchEnv {
  readonly tx: SqlTx;
  readonly ctx: DecisionContext;
  readonly redistributeManual: boolean;
  readonly actor: string;
  readonly now: Date;
  readonly cursor: RedistributionCursor;
  readonly summary: RedistributionSummary;
  readonly dry: DryState | null;
  readonly limit: number;
  /** The pools, locked by the batch's first statement (null in a dry run). */
  readonly pools: Map<string, Pool> | null;
}

export interface BatchResult {
  /** Users processed (decided, for the final decisions). */
  readonly count: number;
  /** Users read: fewer than the limit means the phase is over. */
  readonly read: number;
  readonly last: Keyset | null;
}

/**
 * Per-user probes on the (user_id, …) indexes. `OFFSET 0` keeps PostgreSQL from turning them into
 * a hash (anti-)join over the whole table, which would cost a full scan per batch.
 */
const HOLDS = Prisma.sql`EXISTS (SELECT 1 FROM allocation a WHERE a.user_id = u.id OFFSET 0)`;

/** Where, when and how a page of a phase is read. */
export interface PageRequest {
  readonly tx: SqlTx;
  readonly cursor: Pick<RedistributionCursor, 'scope' | 'after' | 'auditFrom'>;
  /** The job's actor: its audit rows are the trail read with a decision page. */
  readonly actor: string;
  readonly phase: 'release' | 'holders' | 'others';
  readonly limit: number;
  readonly dry: boolean;
}

/**
 * The next page of a phase (users locked unless dry). Release: users holding something. Holders:
 * users holding a row now. Others: users holding nothing, less those the holders step already
 * decided (they lost everything), told apart by this job's audit rows (loadTrails). A dry run
 * writes nothing, so its decide phases both read every user of the scope.
 */
export async function readPage(r: PageRequest): Promise<Page> {
  const scope = scopeCondition(r.cursor.scope);
  const where =
    r.phase === 'release' ? Prisma.sql`${scope} AND ${HOLDS}`
    : r.dry ? scope
    : Prisma.sql`${scope} AND ${r.phase === 'holders' ? HOLDS : Prisma.sql`NOT ${HOLDS}`}`;
  const users = await loadPage(r.tx, where, r.cursor.after, r.limit, !r.dry);
  const decides = r.phase !== 'release' && !r.dry && users.length > 0;
  return { users, trails: decides ? await loadTrails(r.tx, users.map((u) => u.id), r.actor, r.cursor.auditFrom) : null };
}

/** A page and, for the final decisions of a real run, what this job already did to its users. */
export interface Page {
  readonly users: BatchUser[];
  readonly trails: ReadonlyMap<string, JobTrail> | null;
}

/** Release step: users holding something give back what no longer belongs to them. */
export async function releaseBatch(env: BatchEnv, users: readonly BatchUser[]): Promise<BatchResult> {
  const { tx, ctx, dry } = env;
  if (dry) {
    dryRelease(dry, ctx, env.redistributeManual, users);
    return done(users);
  }
  const pools = env.pools ?? (await loadPools(tx));
  const unlimited = unlimitedPools(pools);
  const w = new BatchWrites();
  for (const u of users) {
    const rows = releaseStep(ctx, u, env.redistributeManual, unlimited);
    if (rows.length === 0) continue;
    w.release(u.id, rows);
    const after = withoutRows(u.current, rows);
    w.audits.push({ action: 'redistribution.release', userId: u.id, subject: u.nameId, reason: null, before: u.current, after, trace: null });
  }
  await writeBatch(tx, w, env.actor, env.now, env.pools !== null);
  return done(users);
}

/**
 * Final decisions of one group: holders (users holding a row now) or the others (users holding
 * nothing whom the holders group did not decide). Each user is decided against the seats the
 * previous ones left; pools are locked for the batch so the counts read are the counts written.
 */
export async function decideBatch(env: BatchEnv, group: 'holders' | 'others', { users, trails }: Page): Promise<BatchResult> {
  const { tx, ctx, dry } = env;
  if (users.length === 0) return done(users);
  const ledger: Map<string, Pool> = dry ? dry.ledger : (env.pools ?? (await loadPools(tx, true)));
  const unlimited = dry ? unlimitedPools(dry.ledger) : null;
  const w = new BatchWrites();
  let decided = 0;
  for (const u of users) {
    let before: readonly HeldLicense[] = u.current;
    let current: readonly HeldLicense[] = u.current;
    let early: readonly HeldLicense[] = [];
    if (dry && unlimited) {
      early = releaseStep(ctx, u, env.redistributeManual, unlimited);
      const evicted = dry.evicted.get(u.id) ?? [];
      current = withoutRows(u.current, evicted);
      const holds = withoutRows(current, early).length > 0;
      if (holds !== (group === 'holders')) continue;
    } else {
      const trail = trails?.get(u.id);
      if (trail?.decided) continue;
      // A login between the steps changed the rows: decide from what is there now.
      if (trail && trail.original.length + trail.latest.length > 0 && sameHoldings(trail.latest, u.current)) {
        before = trail.original;
        current = withoutRows(trail.original, trail.evicted);
        early = trail.releasedEarly;
      }
    }
    decided++;
    const d = acquireStep(ctx, { active: u.active, groups: u.groups, current }, env.redistributeManual, ledger, early);
    const after = holdingsAfter(current, d);
    countDecision(env.summary.totals, d.reason, current, after);
    const changed = !sameHoldings(before, after);
    if (dry) {
      if (changed) recordDiff(env.summary, u, d.reason, before, after);
      continue;
    }
    w.release(u.id, withoutRows(d.release, early));
    w.acquire(u.id, d.acquire);
    if (changed || outcomeChanged(u, d.reason, d.roles, d.waiting)) {
      w.users.push({ id: u.id, roles: d.roles, reason: d.reason, trace: d.trace, waiting: d.waiting });
    }
    if (changed) {
      w.audits.push({ action: 'redistribution.decide', userId: u.id, subject: u.nameId, reason: d.reason, before, after, trace: d.trace });
    }
  }
  if (!dry) await writeBatch(tx, w, env.actor, env.now, true);
  return { count: decided, read: users.length, last: users[users.length - 1]?.key ?? null };
}

function outcomeChanged(u: BatchUser, reason: string, roles: readonly string[], waiting: boolean): boolean {
  return u.lastReason !== reason || u.waiting !== waiting || u.roles.length !== roles.length || u.roles.some((r, i) => r !== roles[i]);
}

function recordDiff(summary: RedistributionSummary, u: BatchUser, reason: string, before: readonly HeldLicense[], after: readonly HeldLicense[]): void {
  const diff = (summary.diff ??= []);
  if (diff.length >= DIFF_LIMIT) {
    summary.diffTruncated = true;
    return;
  }
  diff.push({ userId: u.id, nameId: u.nameId, reason, before, after });
}

/** Dry-run release step: seats go back to the in-memory ledger only. */
function dryRelease(dry: DryState, ctx: DecisionContext, redistributeManual: boolean, users: readonly BatchUser[]): void {
  const unlimited = unlimitedPools(dry.ledger);
  for (const u of users) ledgerRelease(dry.ledger, releaseStep(ctx, u, redistributeManual, unlimited));
}

function done(users: readonly BatchUser[]): BatchResult {
  return { count: users.length, read: users.length, last: users[users.length - 1]?.key ?? null };
}
