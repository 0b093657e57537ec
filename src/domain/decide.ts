/**
 * The allocation decision (SPEC §2): a pure function of the compiled configuration, one user and
 * the pools. It reads no clock, draws no random numbers and never throws for business outcomes.
 */
import { bundleMissing, bundleTarget } from './bundle.js';
import { chooseAdmin, choosePreference, type Choice } from './choose.js';
import type { CompiledMapping, DecisionContext } from './context.js';
import { deactivate } from './deactivate.js';
import { acquireOf, reasonOf, releaseOf, traceRelease } from './diff.js';
import { splitHoldings, type Holdings } from './holdings.js';
import { matchMappings } from './match.js';
import { collectOffers } from './rank.js';
import { EMPTY, mergeSorted } from './sorted.js';
import type { TraceCandidate, TraceManual } from './trace.js';
import type { Decision, Pool, Subject } from './types.js';

export type { Decision, Subject } from './types.js';

const NO_MATCH: Choice = Object.freeze({ rule: 'NO_MAPPING', suppressedPrimary: null, bundles: EMPTY, granted: null });
const NO_MANUAL: TraceManual = Object.freeze({ kept: EMPTY, revoked: EMPTY, suppressedPrimary: null });

/**
 * Decides which licences one user should hold (SPEC §2 steps 1-9): matched mappings, roles, the
 * admin rule, the preference ranking, the all-or-nothing bundle, the diff against current rows,
 * manual rows and deactivation. Outputs are sorted and do not depend on the order of the
 * subject's groups, of the context's mappings or of current rows.
 */
export function decide(ctx: DecisionContext, subject: Subject, pools: ReadonlyMap<string, Pool>): Decision {
  if (!subject.active) return deactivate(subject.current);
  const holdings = splitHoldings(ctx, subject, pools);
  const { mappings, trace: matched } = matchMappings(ctx, subject.groups);

  let roles: readonly string[] = EMPTY;
  let matchedMappingIds: readonly string[] = EMPTY;
  let autoProvision = false;
  let admin = false;
  let candidates: readonly TraceCandidate[] = EMPTY;
  let choice = NO_MATCH;
  if (mappings.length > 0) {
    const ids: string[] = [];
    for (let i = 0; i < mappings.length; i++) {
      const mapping = mappings[i] as CompiledMapping;
      ids.push(mapping.id);
      roles = mergeSorted(roles, mapping.roles);
      if (mapping.autoProvision) autoProvision = true;
      if (mapping.isAdmin) admin = true;
    }
    matchedMappingIds = ids;
    const offers = collectOffers(mappings, pools);
    candidates = offers.primaries;
    choice = admin ? chooseAdmin(ctx, pools, holdings, holdings) : choosePreference(ctx, holdings, holdings, offers);
  }

  const { granted } = choice;
  const failed = granted === null && mappings.length > 0;
  const target = granted === null ? EMPTY : bundleTarget(granted);
  const missing = failed ? bundleMissing(choice.bundles[0]) : EMPTY;
  const acquire = acquireOf(target, holdings);
  const release = releaseOf(target, holdings);
  const moves = acquire.length > 0 || release.length > 0;
  const reason = reasonOf(holdings.manualKept.length > 0, mappings.length > 0, failed, moves, admin);
  return {
    reason,
    roles,
    target,
    manualKept: holdings.manualKept,
    acquire,
    release,
    missing,
    matchedMappingIds,
    autoProvision,
    waiting: failed,
    trace: {
      matched: matched.length === 0 ? EMPTY : matched,
      candidates,
      rule: choice.rule,
      manual: traceManual(holdings, choice.suppressedPrimary),
      bundles: choice.bundles,
      outcome: { reason, target, acquire, release: traceRelease(release), missing },
    },
  };
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
