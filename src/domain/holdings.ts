/**
 * What the user holds now, split by origin (SPEC §2 step 8). Manual rows are kept unless the
 * operation revokes them; mapping-origin rows are what the new target replaces (step 7).
 */
import type { Holder } from './bundle.js';
import type { DecisionContext } from './context.js';
import { candidateOf, kindOf } from './rank.js';
import { compareStrings, EMPTY, insertSorted, insertSortedBy } from './sorted.js';
import type { HeldLicense, Pool, Subject } from './types.js';

export interface Holdings extends Holder {
  /** Manual keys the user keeps, sorted. */
  readonly manualKept: readonly string[];
  /** Manual rows revoked by redistributeManual, sorted by key. */
  readonly revoked: readonly HeldLicense[];
  /** Mapping-origin rows, in input order. */
  readonly mappingHeld: readonly HeldLicense[];
  /** A kept manual primary, which takes the user's one primary slot (SPEC §1 "Allocation"). */
  readonly manualPrimary: string | null;
}

const NOTHING_HELD: Holdings = Object.freeze({
  current: EMPTY,
  manualKept: EMPTY,
  revoked: EMPTY,
  mappingHeld: EMPTY,
  manualPrimary: null,
});

/** Splits the subject's current rows by origin and by the redistributeManual flag (SPEC §2 step 8). */
export function splitHoldings(
  ctx: DecisionContext,
  subject: Subject,
  pools: ReadonlyMap<string, Pool>,
): Holdings {
  const current = subject.current;
  if (current.length === 0) return NOTHING_HELD;
  if (!hasManual(current)) {
    return { current, manualKept: EMPTY, revoked: EMPTY, mappingHeld: current, manualPrimary: null };
  }
  let manualKept: string[] | undefined;
  let revoked: HeldLicense[] | undefined;
  let mappingHeld: HeldLicense[] | undefined;
  let manualPrimary: string | null = null;
  for (let i = 0; i < current.length; i++) {
    const row = current[i] as HeldLicense;
    if (row.origin === 'mapping') {
      (mappingHeld ??= []).push(row);
    } else if (subject.redistributeManual) {
      insertSortedBy((revoked ??= []), row, compareHeld);
    } else {
      insertSorted((manualKept ??= []), row.key);
      // Several manual primaries break the one-primary invariant upstream; take the smallest key
      // so the decision still does not depend on row order.
      const primary = kindOf(candidateOf(ctx, row.key), pools.get(row.key)) === 'primary';
      if (primary && (manualPrimary === null || row.key < manualPrimary)) manualPrimary = row.key;
    }
  }
  return {
    current,
    manualKept: manualKept ?? EMPTY,
    revoked: revoked ?? EMPTY,
    mappingHeld: mappingHeld ?? EMPTY,
    manualPrimary,
  };
}

function hasManual(rows: readonly HeldLicense[]): boolean {
  for (let i = 0; i < rows.length; i++) if ((rows[i] as HeldLicense).origin !== 'mapping') return true;
  return false;
}

/** Orders held rows by key, then origin, for the sorted `release` list. */
export function compareHeld(a: HeldLicense, b: HeldLicense): number {
  return compareStrings(a.key, b.key) || compareStrings(a.origin, b.origin);
}
