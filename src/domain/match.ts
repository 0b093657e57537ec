/**
 * Group-to-mapping matching (SPEC §2 step 1, SPEC §1 "Group mapping"). A group is the exact
 * string the IdP sends; only mappings flagged caseInsensitive compare lower-cased.
 */
import type { CompiledMapping, DecisionContext } from './context.js';
import { foldedHashOf, hashOf } from './group-index.js';
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
 * Costs one scan and one table probe per group; a second probe only for a group with capitals
 * whose first and last letters begin and end some case-insensitive mapping's group. Allocates
 * nothing, except the lower-cased copy of a non-ASCII group with case-insensitive mappings about. When several group strings match one case-insensitive mapping, the smallest is
 * reported, so the result does not depend on the order of `groups`.
 */
export function matchMappings(matches: Matches, ctx: DecisionContext, groups: readonly string[]): void {
  matches.count = 0;
  const { byGroup, folded, foldedEnds } = ctx;
  const folding = folded.size > 0;
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g] as string;
    // FNV-1a of the group as sent (hashOf() inlined), noting capitals and non-ASCII code units.
    let hash = 0x811c9dc5;
    let capitals = false;
    let bits = 0;
    for (let i = 0; i < group.length; i++) {
      const c = group.charCodeAt(i);
      hash = Math.imul(hash ^ c, 0x01000193);
      bits |= c;
      if (c >= 65 && c <= 90) capitals = true;
    }
    const hits = byGroup.find(group, hash | 0);
    if (hits !== undefined) {
      for (let i = 0; i < hits.length; i++) addMatch(matches, hits[i] as CompiledMapping, group);
    }
    // A group already in lower case was fully served by byGroup; only capitals need a second look.
    if (!folding || (!capitals && bits < 128)) continue;
    let fold: CompiledMapping[] | undefined;
    if (bits < 128) {
      // ASCII: lower-casing maps each code unit to one, so the lower-cased group begins and ends
      // with the lower case of the group's ends; a pair no folded key has rules it out.
      const pair = (lowerAscii(group.charCodeAt(0)) << 7) | lowerAscii(group.charCodeAt(group.length - 1));
      if ((((foldedEnds[pair >>> 5] as number) >>> (pair & 31)) & 1) === 0) continue;
      fold = folded.findFolded(group, foldedHashOf(group));
    } else {
      const lower = group.toLowerCase();
      if (lower === group) continue;
      fold = folded.find(lower, hashOf(lower));
    }
    if (fold !== undefined) {
      for (let i = 0; i < fold.length; i++) addMatch(matches, fold[i] as CompiledMapping, group);
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
