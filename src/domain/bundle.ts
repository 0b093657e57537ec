/**
 * All-or-nothing bundle evaluation (SPEC §2 steps 5 and 6).
 */
import { EMPTY, includesKey, insertSorted } from './sorted.js';
import type { TraceBundle, TraceCandidate, TraceMember } from './trace.js';
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
  primary: TraceCandidate | null,
  primaryPool: Pool | undefined,
  addons: readonly TraceCandidate[],
  addonPools: readonly (Pool | undefined)[],
): TraceBundle {
  const members: TraceMember[] = [];
  let fits = true;
  if (primary !== null) fits = addMember(members, holder, primary.key, 'primary', primaryPool);
  for (let i = 0; i < addons.length; i++) {
    if (!addMember(members, holder, (addons[i] as TraceCandidate).key, 'addon', addonPools[i])) fits = false;
  }
  return { primary: primary === null ? null : primary.key, members, fits };
}

function addMember(
  members: TraceMember[],
  holder: Holder,
  key: string,
  kind: LicenseKind,
  pool: Pool | undefined,
): boolean {
  const capacity = pool === undefined ? 0 : pool.capacity;
  const used = pool === undefined ? 0 : pool.used;
  const heldByUser = holder.current.length > 0 && includesKey(holder.current, key);
  const heldManually = holder.manualKept.length > 0 && holder.manualKept.includes(key);
  // No pool means no such licence type: nothing to keep, even for a user holding a stale row.
  const available = pool === undefined ? 0 : capacity - used + (heldByUser ? 1 : 0);
  members.push({ key, kind, capacity, used, heldByUser, available, heldManually });
  return heldManually || available >= 1;
}

/** The keys a fitting bundle puts in the user's mapping-origin target, sorted (SPEC §2 step 7). */
export function bundleTarget(bundle: TraceBundle): readonly string[] {
  let target: string[] | undefined;
  for (let i = 0; i < bundle.members.length; i++) {
    const member = bundle.members[i] as TraceMember;
    if (!member.heldManually) insertSorted((target ??= []), member.key);
  }
  return target ?? EMPTY;
}

/** The members that made a bundle fail, sorted (SPEC §2 step 5 "naming the missing license(s)"). */
export function bundleMissing(bundle: TraceBundle | undefined): readonly string[] {
  if (bundle === undefined) return EMPTY;
  let missing: string[] | undefined;
  for (let i = 0; i < bundle.members.length; i++) {
    const member = bundle.members[i] as TraceMember;
    if (!member.heldManually && member.available < 1) insertSorted((missing ??= []), member.key);
  }
  return missing ?? EMPTY;
}
