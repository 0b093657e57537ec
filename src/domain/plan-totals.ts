/**
 * Running totals of a redistribution (SPEC §3): users per reason, seats acquired and released
 * per licence, users whose holdings changed. Shared by the pure planner and the job runner, so a
 * dry run and a real run report the same figures.
 */
import type { HeldLicense } from './types.js';

export interface LicenseFlow {
  acquired: number;
  released: number;
}

export interface RedistributionTotals {
  /** Users per reason code of their final decision. */
  reasons: Record<string, number>;
  /** Seats taken and given back per licence key, over every step of the run. */
  licenses: Record<string, LicenseFlow>;
  /** Users who lost a seat to a lowered capacity before their final decision. */
  evicted: number;
  /** Final decisions that moved a seat. */
  moved: number;
}

export function createTotals(): RedistributionTotals {
  return { reasons: {}, licenses: {}, evicted: 0, moved: 0 };
}

/** Counts the seats one step moved: keys held after and not before, and the reverse. */
function countSeatMoves(totals: RedistributionTotals, before: readonly HeldLicense[], after: readonly HeldLicense[]): void {
  for (const row of after) if (!hasKey(before, row.key)) flow(totals, row.key).acquired++;
  for (const row of before) if (!hasKey(after, row.key)) flow(totals, row.key).released++;
}

/** Counts rows a lowered capacity took from a user before their final decision. */
export function countEviction(totals: RedistributionTotals, released: readonly HeldLicense[]): void {
  if (released.length === 0) return;
  totals.evicted++;
  for (const row of released) flow(totals, row.key).released++;
}

/** Counts a user's final decision: its reason and the seats it moved (by key, so a manual row
 * turned into a mapping row moves no seat). */
export function countDecision(totals: RedistributionTotals, reason: string, before: readonly HeldLicense[], after: readonly HeldLicense[]): void {
  totals.reasons[reason] = (totals.reasons[reason] ?? 0) + 1;
  if (!sameHoldings(before, after)) totals.moved++;
  countSeatMoves(totals, before, after);
}

/** Adds `other` into `totals` (a batch's totals into the job's). */
export function mergeTotals(totals: RedistributionTotals, other: RedistributionTotals): void {
  for (const [reason, n] of Object.entries(other.reasons)) totals.reasons[reason] = (totals.reasons[reason] ?? 0) + n;
  for (const [key, f] of Object.entries(other.licenses)) {
    const mine = flow(totals, key);
    mine.acquired += f.acquired;
    mine.released += f.released;
  }
  totals.evicted += other.evicted;
  totals.moved += other.moved;
}

/** Same rows by key and origin, whatever their order. */
export function sameHoldings(a: readonly HeldLicense[], b: readonly HeldLicense[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((row) => b.some((other) => other.key === row.key && other.origin === row.origin));
}

function flow(totals: RedistributionTotals, key: string): LicenseFlow {
  let f = totals.licenses[key];
  if (f === undefined) {
    f = { acquired: 0, released: 0 };
    totals.licenses[key] = f;
  }
  return f;
}

function hasKey(rows: readonly HeldLicense[], key: string): boolean {
  for (let i = 0; i < rows.length; i++) if ((rows[i] as HeldLicense).key === key) return true;
  return false;
}
