/**
 * All-or-nothing bundle evaluation (SPEC §2 steps 5 and 6).
 */
import { copyOf, EMPTY, includesKey, insertSortedAt } from './sorted.js';
import type { CompiledLicence } from './context.js';
import type { TraceBundle, TraceMember } from './trace.js';
import type { HeldLicense, LicenseKind, Pool } from './types.js';

/** What a bundle needs to know about the user. */
export interface Holder {
  readonly current: readonly HeldLicense[];
  /** Manual keys the user keeps: they satisfy a member without a seat. */
  readonly manualKept: readonly string[];
}

/**
 * Tries `primary` (or none) together with the add-ons, all or nothing (SPEC §2 step 5). A member
 * is available when capacity - used, plus one if the user already holds it, is at least one
 * (step 6: a user's own seat is always theirs to keep). A key without a pool is never available.
 * A member the user keeps as a manual row is satisfied by that row whatever the pool says.
 */
export function evaluateBundle(
  holder: Holder,
  primary: CompiledLicence | null,
  primaryPool: Pool | undefined,
  addons: readonly CompiledLicence[],
  addonPools: readonly (Pool | undefined)[],
  addonCount: number,
): TraceBundle {
  const members = new Array<TraceMember>((primary === null ? 0 : 1) + addonCount);
  let n = 0;
  let fits = true;
  if (primary !== null) {
    members[n++] = member(holder, primary.key, 'primary', primaryPool);
    fits = fitting(members[0] as TraceMember);
  }
  for (let i = 0; i < addonCount; i++) {
    const added = member(holder, (addons[i] as CompiledLicence).key, 'addon', addonPools[i]);
    members[n++] = added;
    if (!fitting(added)) fits = false;
  }
  return { primary: primary === null ? null : primary.key, members, fits };
}

function fitting(member: TraceMember): boolean {
  return member.heldManually || member.available >= 1;
}

function member(holder: Holder, key: string, kind: LicenseKind, pool: Pool | undefined): TraceMember {
  const capacity = pool === undefined ? 0 : pool.capacity;
  const used = pool === undefined ? 0 : pool.used;
  const heldByUser = holder.current.length > 0 && includesKey(holder.current, key);
  const heldManually = holder.manualKept.length > 0 && holder.manualKept.includes(key);
  // No pool means no such licence type: nothing to keep, even for a user holding a stale row.
  const available = pool === undefined ? 0 : capacity - used + (heldByUser ? 1 : 0);
  return { key, kind, capacity, used, heldByUser, available, heldManually };
}

/** Scratch list for the two functions below; see copyOf(). */
const keys: string[] = [];

/** The keys a fitting bundle puts in the user's mapping-origin target, sorted (SPEC §2 step 7). */
export function bundleTarget(bundle: TraceBundle): readonly string[] {
  let n = 0;
  for (let i = 0; i < bundle.members.length; i++) {
    const member = bundle.members[i] as TraceMember;
    if (!member.heldManually) n = insertSortedAt(keys, n, member.key);
  }
  return copyOf(keys, n);
}

/** The members that made a bundle fail, sorted (SPEC §2 step 5 "naming the missing license(s)"). */
export function bundleMissing(bundle: TraceBundle | undefined): readonly string[] {
  if (bundle === undefined) return EMPTY;
  let n = 0;
  for (let i = 0; i < bundle.members.length; i++) {
    const member = bundle.members[i] as TraceMember;
    if (!member.heldManually && member.available < 1) n = insertSortedAt(keys, n, member.key);
  }
  return copyOf(keys, n);
}
