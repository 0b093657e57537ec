/**
 * The allocation decision (SPEC §2): a pure function of the compiled configuration, one user and
 * the pools. It reads no clock, draws no random numbers and never throws for business outcomes.
 */
import { bundleMissing, bundleTarget } from './bundle.js';
import { chooseAdmin, chooseNothing, choosePreference, createChoice } from './choose.js';
import type { CompiledLicence, CompiledMapping, DecisionContext } from './context.js';
import { deactivate } from './deactivate.js';
import { acquireOf, reasonOf, releaseOf, traceRelease } from './diff.js';
import { splitHoldings, type Holdings } from './holdings.js';
import { createMatches, matchedIds, matchMappings, traceMatches } from './match.js';
import { collectOffers, createOffers } from './rank.js';
import { EMPTY, insertSorted } from './sorted.js';
import type { TraceCandidate, TraceManual } from './trace.js';
import type { Decision, Pool, Subject } from './types.js';

export type { Decision, Subject } from './types.js';

const NO_MANUAL: TraceManual = Object.freeze({ kept: EMPTY, revoked: EMPTY, suppressedPrimary: null });

/**
 * Scratch records reused by every call, so that a decision allocates little beyond its result.
 * decide() fills them and copies what it returns out of them before it returns; nothing it
 * calls can call decide() back, so one set suffices. Never exported.
 */
const matches = createMatches();
const offers = createOffers();
const choice = createChoice();
const roleBuffer: string[] = [];

/**
 * Decides which licences one user should hold (SPEC §2 steps 1-9): matched mappings, roles, the
 * admin rule, the preference ranking, the all-or-nothing bundle, the diff against current rows,
 * manual rows and deactivation. Outputs are sorted and do not depend on the order of the
 * subject's groups, of the context's mappings or of current rows.
 */
export function decide(ctx: DecisionContext, subject: Subject, pools: ReadonlyMap<string, Pool>): Decision {
  if (!subject.active) return deactivate(subject.current);
  const holdings = splitHoldings(ctx, subject, pools);
  matchMappings(matches, ctx, subject.groups);
  const matched = matches.count;

  // One fold over the matched mappings: roles, auto-provisioning, the admin rule's trigger.
  let autoProvision = false;
  let admin = false;
  for (let i = 0; i < matched; i++) {
    const mapping = matches.mappings[i] as CompiledMapping;
    if (mapping.autoProvision) autoProvision = true;
    if (mapping.isAdmin) admin = true;
  }
  const roles = rolesOf(matched);

  let candidates: readonly TraceCandidate[] = EMPTY;
  if (matched === 0) {
    chooseNothing(choice);
  } else {
    collectOffers(offers, matches.mappings, matched, pools);
    candidates = candidatesOf();
    if (admin) chooseAdmin(choice, ctx, pools, holdings, holdings);
    else choosePreference(choice, ctx, holdings, holdings, offers);
  }

  const { granted, rule, bundles, suppressedPrimary } = choice;
  const failed = granted === null && matched > 0;
  const target = granted === null ? EMPTY : bundleTarget(granted);
  const missing = failed ? bundleMissing(bundles[0]) : EMPTY;
  const acquire = acquireOf(target, holdings);
  const release = releaseOf(target, holdings);
  const moves = acquire.length > 0 || release.length > 0;
  const reason = reasonOf(holdings.manualKept.length > 0, matched > 0, failed, moves, admin);
  return {
    reason,
    roles,
    target,
    manualKept: holdings.manualKept,
    acquire,
    release,
    missing,
    matchedMappingIds: matchedIds(matches),
    autoProvision,
    waiting: failed,
    trace: {
      matched: traceMatches(matches),
      candidates,
      rule,
      manual: traceManual(holdings, suppressedPrimary),
      bundles,
      outcome: { reason, target, acquire, release: traceRelease(release), missing },
    },
  };
}

/** Sorted union of the matched mappings' roles; a lone mapping's own (frozen) list. */
function rolesOf(matched: number): readonly string[] {
  if (matched === 0) return EMPTY;
  if (matched === 1) return (matches.mappings[0] as CompiledMapping).roles;
  roleBuffer.length = 0;
  for (let i = 0; i < matched; i++) {
    const roles = (matches.mappings[i] as CompiledMapping).roles;
    for (let r = 0; r < roles.length; r++) insertSorted(roleBuffer, roles[r] as string);
  }
  return roleBuffer.length === 0 ? EMPTY : roleBuffer.slice();
}

/** The trace's candidate primaries, best first; a lone candidate's shared list. */
function candidatesOf(): readonly TraceCandidate[] {
  const { primaryCount, primaries } = offers;
  if (primaryCount === 0) return EMPTY;
  if (primaryCount === 1) return (primaries[0] as CompiledLicence).alone;
  const list = new Array<TraceCandidate>(primaryCount);
  for (let i = 0; i < primaryCount; i++) list[i] = (primaries[i] as CompiledLicence).candidate;
  return list;
}

function traceManual(holdings: Holdings, suppressedPrimary: string | null): TraceManual {
  const { manualKept, revoked } = holdings;
  if (manualKept.length === 0 && revoked.length === 0 && suppressedPrimary === null) return NO_MANUAL;
  return {
    kept: manualKept,
    revoked: revoked.length === 0 ? EMPTY : revoked.map((row) => row.key),
    suppressedPrimary,
  };
}
