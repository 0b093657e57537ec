/**
 * The target against what the user holds (SPEC §2 step 7), and the reason code.
 */
import { compareHeld, type Holdings } from './holdings.js';
import { copyOf, EMPTY, includesKey } from './sorted.js';
import type { TraceRelease } from './trace.js';
import type { HeldLicense, ReasonCode } from './types.js';

/** Target keys with no mapping-origin row yet, each needing a new seat (SPEC §2 step 7). Sorted. */
export function acquireOf(target: readonly string[], holdings: Holdings): readonly string[] {
  let n = 0;
  for (let i = 0; i < target.length; i++) {
    if (!includesKey(holdings.mappingHeld, target[i] as string)) n++;
  }
  if (n === target.length) return target;
  if (n === 0) return EMPTY;
  const acquire = new Array<string>(n);
  n = 0;
  for (let i = 0; i < target.length; i++) {
    const key = target[i] as string;
    if (!includesKey(holdings.mappingHeld, key)) acquire[n++] = key;
  }
  return acquire;
}

/** Scratch list for releaseOf(); see copyOf(). */
const scratch: HeldLicense[] = [];

/**
 * Rows to delete, sorted by key: mapping-origin rows outside the target, and manual rows the
 * operation revokes (SPEC §2 steps 7 and 8). A revoked manual row whose key is in the target is
 * released and acquired again as a mapping row: its seat is freed first, so the swap cannot fail.
 */
export function releaseOf(target: readonly string[], holdings: Holdings): readonly HeldLicense[] {
  const { mappingHeld, revoked } = holdings;
  let n = 0;
  for (let i = 0; i < mappingHeld.length; i++) {
    const row = mappingHeld[i] as HeldLicense;
    if (!target.includes(row.key)) n = insertHeld(n, row);
  }
  for (let i = 0; i < revoked.length; i++) n = insertHeld(n, revoked[i] as HeldLicense);
  return copyOf(scratch, n);
}

/** Stable sorted insertion into the first `count` scratch rows; returns the new count. */
function insertHeld(count: number, row: HeldLicense): number {
  let i = count;
  while (i > 0 && compareHeld(scratch[i - 1] as HeldLicense, row) > 0) {
    scratch[i] = scratch[i - 1] as HeldLicense;
    i--;
  }
  scratch[i] = row;
  return count + 1;
}

/**
 * Reason precedence for an active user: MANUAL_PRESERVED > NO_MAPPING > BUNDLE_UNAVAILABLE >
 * UNCHANGED > ADMIN_ONLY > ALLOCATED (DEACTIVATED outranks them all, see deactivate()).
 */
export function reasonOf(
  keepsManual: boolean,
  matched: boolean,
  failed: boolean,
  moves: boolean,
  admin: boolean,
): ReasonCode {
  if (keepsManual) return 'MANUAL_PRESERVED';
  if (!matched) return 'NO_MAPPING';
  if (failed) return 'BUNDLE_UNAVAILABLE';
  if (!moves) return 'UNCHANGED';
  return admin ? 'ADMIN_ONLY' : 'ALLOCATED';
}

/**
 * Released rows as bare {key, origin} for the trace (SPEC §2): callers' rows may carry ids or
 * Dates, unfit for the audit log's jsonb.
 */
export function traceRelease(rows: readonly HeldLicense[]): readonly TraceRelease[] {
  if (rows.length === 0) return EMPTY;
  const out = new Array<TraceRelease>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as HeldLicense;
    out[i] = { key: row.key, origin: row.origin };
  }
  return out;
}
