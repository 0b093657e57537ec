/**
 * Group-to-mapping matching (SPEC §2 step 1, SPEC §1 "Group mapping"). A group is the exact
 * string the IdP sends; only mappings flagged caseInsensitive compare lower-cased.
 */
import type { CompiledMapping, DecisionContext } from './context.js';
import { EMPTY } from './sorted.js';
import type { TraceMatch } from './trace.js';

/**
 * Matched mappings in id order, with the group string that matched each (parallel lists).
 * decide() reuses one instance from call to call: only the first `count` entries count.
 */
export interface Matches {
  readonly mappings: CompiledMapping[];
  readonly groups: string[];
  count: number;
}

export function createMatches(): Matches {
  return { mappings: [], groups: [], count: 0 };
}

/**
 * Returns the enabled mappings matched by `groups`, sorted by mapping id (SPEC §2 step 1).
 * Costs one map look-up per group; a second one, and a lower-cased copy, only for a group with
 * capitals whose first and last letters begin and end some case-insensitive mapping's group. When several group strings match one case-insensitive mapping, the smallest is
 * reported, so the result does not depend on the order of `groups`.
 */
export function matchMappings(matches: Matches, ctx: DecisionContext, groups: readonly string[]): void {
  matches.count = 0;
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
}

function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c | 32 : c;
}

function addMatch(matches: Matches, mapping: CompiledMapping, group: string): void {
  const { mappings, groups } = matches;
  let i = matches.count;
  while (i > 0) {
    const seen = mappings[i - 1] as CompiledMapping;
    if (seen === mapping) {
      if (group < (groups[i - 1] as string)) groups[i - 1] = group;
      return;
    }
    if (seen.order < mapping.order) break;
    i--;
  }
  for (let j = matches.count; j > i; j--) {
    mappings[j] = mappings[j - 1] as CompiledMapping;
    groups[j] = groups[j - 1] as string;
  }
  mappings[i] = mapping;
  groups[i] = group;
  matches.count++;
}

/** The trace entries of the matches, in order; shared frozen lists when possible. */
export function traceMatches(matches: Matches): readonly TraceMatch[] {
  const { count, mappings, groups } = matches;
  if (count === 0) return EMPTY;
  const first = mappings[0] as CompiledMapping;
  if (count === 1 && groups[0] === first.idpGroup) return first.alone;
  const trace = new Array<TraceMatch>(count);
  for (let i = 0; i < count; i++) trace[i] = traceMatch(mappings[i] as CompiledMapping, groups[i] as string);
  return trace;
}

/** The ids of the matches, in order. */
export function matchedIds(matches: Matches): readonly string[] {
  const { count, mappings } = matches;
  if (count === 0) return EMPTY;
  if (count === 1) return (mappings[0] as CompiledMapping).ids;
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) ids[i] = (mappings[i] as CompiledMapping).id;
  return ids;
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
