/**
 * Group-to-mapping matching (SPEC §2 step 1, SPEC §1 "Group mapping"). A group is the exact
 * string the IdP sends; only mappings flagged caseInsensitive compare lower-cased.
 */
import type { CompiledMapping, DecisionContext } from './context.js';
import type { TraceMatch } from './trace.js';

/** Matched mappings in id order, with their trace entries in the same order (parallel lists). */
export interface Matches {
  readonly mappings: CompiledMapping[];
  readonly trace: TraceMatch[];
}

/**
 * Returns the enabled mappings matched by `groups`, sorted by mapping id (SPEC §2 step 1).
 * Costs one map look-up per group; a second one, and a lower-cased copy, only for a group with
 * capitals whose first and last letters begin and end some case-insensitive mapping's group. When several group strings match one case-insensitive mapping, the smallest is
 * reported, so the result does not depend on the order of `groups`.
 */
export function matchMappings(ctx: DecisionContext, groups: readonly string[]): Matches {
  const matches: Matches = { mappings: [], trace: [] };
  const folding = ctx.folded.size > 0;
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g] as string;
    const hits = ctx.byGroup.get(group);
    if (hits !== undefined) {
      for (let i = 0; i < hits.length; i++) addMatch(matches, hits[i] as CompiledMapping, group);
    }
    if (!folding || group.length === 0) continue;
    // Lower-casing an ASCII code unit gives one ASCII code unit, whatever surrounds it: when both
    // ends of the group are ASCII, the lower-cased group begins and ends with their lower case,
    // and a pair no folded key has rules the group out without building its lower case.
    const first = group.charCodeAt(0);
    const last = group.charCodeAt(group.length - 1);
    if (first < 128 && last < 128) {
      const pair = (lowerAscii(first) << 7) | lowerAscii(last);
      if ((((ctx.foldedEnds[pair >>> 5] as number) >>> (pair & 31)) & 1) === 0) continue;
    }
    // A group already in lower case was fully served by byGroup; only capitals need a second look.
    const lower = group.toLowerCase();
    if (lower === group) continue;
    const folded = ctx.folded.get(lower);
    if (folded !== undefined) {
      for (let i = 0; i < folded.length; i++) addMatch(matches, folded[i] as CompiledMapping, group);
    }
  }
  return matches;
}

function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c | 32 : c;
}

function addMatch(matches: Matches, mapping: CompiledMapping, group: string): void {
  const { mappings, trace } = matches;
  let i = mappings.length;
  while (i > 0) {
    const seen = mappings[i - 1] as CompiledMapping;
    if (seen === mapping) {
      if (group < (trace[i - 1] as TraceMatch).matchedGroup) trace[i - 1] = traceMatch(mapping, group);
      return;
    }
    if (seen.order < mapping.order) break;
    i--;
  }
  mappings.push(mapping);
  trace.push(mapping.exactMatch);
  for (let j = mappings.length - 1; j > i; j--) {
    mappings[j] = mappings[j - 1] as CompiledMapping;
    trace[j] = trace[j - 1] as TraceMatch;
  }
  mappings[i] = mapping;
  trace[i] = traceMatch(mapping, group);
}

/** The shared frozen trace entry, unless the IdP spelled a case-insensitive group differently. */
function traceMatch(mapping: CompiledMapping, group: string): TraceMatch {
  if (group === mapping.idpGroup) return mapping.exactMatch;
  return {
    id: mapping.id,
    idpGroup: mapping.idpGroup,
    matchedGroup: group,
    roles: mapping.roles,
    licenses: mapping.licenses,
  };
}
