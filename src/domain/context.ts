/**
 * Everything decide() needs that does not change from one user to the next, compiled once so
 * that a decision costs O(groups) rather than O(mappings) (SPEC §2 step 1, §3 redistributions).
 */
import { compareCandidates } from './rank.js';
import { compareStrings, insertSorted } from './sorted.js';
import type { TraceCandidate, TraceMatch } from './trace.js';
import type { Mapping, Policy } from './types.js';

/**
 * A licence key the context knows (preference order, admin licence, mapping licences), with its
 * shared trace entry and its positions in the two orders decisions sort by, so that ranking
 * compares small integers instead of strings (SPEC §2 step 4).
 */
export interface CompiledLicence {
  readonly key: string;
  /** Shared, frozen trace entry: key and 1-based preference rank. */
  readonly candidate: TraceCandidate;
  /** Frozen [candidate]: the trace's candidate list when this is the only candidate primary. */
  readonly alone: readonly TraceCandidate[];
  /** Position by preference rank, keys missing from the order last, ties by key. */
  readonly byPreference: number;
  /** Position by key (code-unit order). */
  readonly byKey: number;
}

/** A mapping prepared for matching: sorted roles and licences, admin flag, shareable trace entry. */
export interface CompiledMapping {
  /** Position in (id, idpGroup) order over all enabled mappings: decisions sort matches by it. */
  readonly order: number;
  readonly id: string;
  readonly idpGroup: string;
  readonly roles: readonly string[];
  readonly licenses: readonly string[];
  /** The licences again, compiled, so decide() needs no look-up to rank them. */
  readonly offers: readonly CompiledLicence[];
  readonly autoProvision: boolean;
  /** Carries one of policy.adminRoles (SPEC §2 step 3). */
  readonly isAdmin: boolean;
  /** Trace entry for a match on the exact idpGroup string; frozen, so decisions can share it. */
  readonly exactMatch: TraceMatch;
  /** Frozen [exactMatch] and [id]: the trace's matches and the matched ids when this mapping matches alone. */
  readonly alone: readonly TraceMatch[];
  readonly ids: readonly string[];
}

/** Compiled configuration for decide(). Treat as opaque outside src/domain. */
export interface DecisionContext {
  readonly policy: Policy;
  readonly preferenceOrder: readonly string[];
  /**
   * Enabled mappings by the one string that matches them as sent: case-sensitive ones by idpGroup,
   * case-insensitive ones by lower-cased idpGroup (an already lower-case group matches them as is).
   */
  readonly byGroup: ReadonlyMap<string, readonly CompiledMapping[]>;
  /** Enabled case-insensitive mappings by lower-cased idpGroup, for groups sent with capitals. */
  readonly folded: ReadonlyMap<string, readonly CompiledMapping[]>;
  /**
   * Which (first, last) ASCII code-unit pairs, lower-cased, begin and end a key of `folded`:
   * bit (first << 7 | last). A group whose ends are ASCII and whose lower-cased pair is absent
   * cannot match a case-insensitive mapping, so it is never lower-cased (see match.ts).
   */
  readonly foldedEnds: Uint32Array;
  /** Every key the context knows, compiled (see CompiledLicence). */
  readonly licences: ReadonlyMap<string, CompiledLicence>;
}

/**
 * Compiles the policy, preference order and mappings into a context for decide() (SPEC §2).
 * Disabled mappings are dropped here, so they can never match. Inputs are copied: later edits to
 * the caller's arrays do not leak into decisions made with this context.
 */
export function createDecisionContext(args: {
  readonly policy: Policy;
  readonly preferenceOrder: readonly string[];
  readonly mappings: readonly Mapping[];
}): DecisionContext {
  const preferenceOrder = Object.freeze([...args.preferenceOrder]);
  const enabled = args.mappings.filter((mapping) => mapping.enabled).sort(compareMappings);
  const licences = compileLicences(preferenceOrder, [
    ...preferenceOrder,
    args.policy.adminLicense,
    ...enabled.flatMap((mapping) => mapping.licenses),
  ]);

  const adminRoles = new Set(args.policy.adminRoles);
  const byGroup = new Map<string, CompiledMapping[]>();
  const folded = new Map<string, CompiledMapping[]>();
  for (const [order, mapping] of enabled.entries()) {
    const licenses = sortedDistinct(mapping.licenses);
    const compiled = compileMapping(order, mapping, licenses, adminRoles, licences);
    if (mapping.caseInsensitive) {
      const lower = mapping.idpGroup.toLowerCase();
      addTo(byGroup, lower, compiled);
      addTo(folded, lower, compiled);
    } else {
      addTo(byGroup, mapping.idpGroup, compiled);
    }
  }
  return Object.freeze({
    policy: freezePolicy(args.policy),
    preferenceOrder,
    byGroup,
    folded,
    foldedEnds: endsFilter(folded.keys()),
    licences,
  });
}

/** Compiles every distinct key: rank from the first place it has in the order, both sort positions. */
function compileLicences(preferenceOrder: readonly string[], keys: readonly string[]): ReadonlyMap<string, CompiledLicence> {
  const rank = new Map<string, number>();
  preferenceOrder.forEach((key, i) => {
    if (!rank.has(key)) rank.set(key, i + 1);
  });
  const candidates = [...new Set(keys)].map((key): TraceCandidate => Object.freeze({ key, rank: rank.get(key) ?? null }));
  const byKey = positions([...candidates].sort((a, b) => compareStrings(a.key, b.key)));
  const byPreference = positions([...candidates].sort(compareCandidates));
  const licences = new Map<string, CompiledLicence>();
  for (const candidate of candidates) {
    licences.set(
      candidate.key,
      Object.freeze({
        key: candidate.key,
        candidate,
        alone: Object.freeze([candidate]),
        byPreference: byPreference.get(candidate) as number,
        byKey: byKey.get(candidate) as number,
      }),
    );
  }
  return licences;
}

function positions<T>(sorted: readonly T[]): Map<T, number> {
  return new Map(sorted.map((item, i) => [item, i]));
}

/** The (first, last) pair filter of the lower-cased keys; keys with a non-ASCII end never pass it. */
function endsFilter(keys: Iterable<string>): Uint32Array {
  const bits = new Uint32Array(512);
  for (const key of keys) {
    if (key.length === 0) continue;
    const first = key.charCodeAt(0);
    const last = key.charCodeAt(key.length - 1);
    if (first >= 128 || last >= 128) continue;
    const pair = (first << 7) | last;
    bits[pair >>> 5] = (bits[pair >>> 5] as number) | (1 << (pair & 31));
  }
  return bits;
}

function freezePolicy(policy: Policy): Policy {
  return Object.freeze({
    adminRoles: Object.freeze([...policy.adminRoles]),
    adminLicense: policy.adminLicense,
    fallbackToNextPreference: policy.fallbackToNextPreference,
    jit: Object.freeze({ ...policy.jit }),
  });
}

function addTo(index: Map<string, CompiledMapping[]>, key: string, mapping: CompiledMapping): void {
  const bucket = index.get(key);
  if (bucket) bucket.push(mapping);
  else index.set(key, [mapping]);
}

function compileMapping(
  order: number,
  mapping: Mapping,
  licenses: readonly string[],
  adminRoles: ReadonlySet<string>,
  licences: ReadonlyMap<string, CompiledLicence>,
): CompiledMapping {
  const roles = sortedDistinct(mapping.roles);
  const offers = Object.freeze(licenses.map((key) => licences.get(key) as CompiledLicence));
  const exactMatch: TraceMatch = Object.freeze({
    id: mapping.id,
    idpGroup: mapping.idpGroup,
    matchedGroup: mapping.idpGroup,
    roles,
    licenses,
  });
  return Object.freeze({
    order,
    id: mapping.id,
    idpGroup: mapping.idpGroup,
    roles,
    licenses,
    offers,
    autoProvision: mapping.autoProvision,
    isAdmin: roles.some((role) => adminRoles.has(role)),
    exactMatch,
    alone: Object.freeze([exactMatch]),
    ids: Object.freeze([mapping.id]),
  });
}

function sortedDistinct(values: readonly string[]): readonly string[] {
  const out: string[] = [];
  for (const value of values) insertSorted(out, value);
  return Object.freeze(out);
}

/** Orders mappings by id, then idpGroup, so that duplicate ids still sort deterministically. */
function compareMappings(a: Mapping, b: Mapping): number {
  return compareStrings(a.id, b.id) || compareStrings(a.idpGroup, b.idpGroup);
}
