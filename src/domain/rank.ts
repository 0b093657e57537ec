/**
 * Licence kinds and the ranking of candidate primaries (SPEC §2 step 4).
 */
import type { CompiledMapping, DecisionContext } from './context.js';
import { compareStrings } from './sorted.js';
import type { TraceCandidate } from './trace.js';
import type { LicenseKind, Pool } from './types.js';

/**
 * The licences offered by the matched mappings, split by kind, each with its pool looked up once
 * per decision (parallel lists, to spare an object per licence).
 */
export interface Offers {
  /** Candidate primaries, best first; this list is also the trace's candidate list. */
  readonly primaries: TraceCandidate[];
  readonly primaryPools: (Pool | undefined)[];
  /** Add-ons of every matched mapping, by key (SPEC §2 step 4: also those whose primary lost). */
  readonly addons: TraceCandidate[];
  readonly addonPools: (Pool | undefined)[];
}

/**
 * The kind of a licence: its pool says so; a key without a pool is taken as primary when the
 * preference order names it (only primaries belong there, SPEC §1), otherwise as an add-on.
 */
export function kindOf(candidate: TraceCandidate, pool: Pool | undefined): LicenseKind {
  if (pool !== undefined) return pool.kind;
  return candidate.rank !== null ? 'primary' : 'addon';
}

/** The candidate entry (key, 1-based preference rank) of a key (SPEC §2 step 4). */
export function candidateOf(ctx: DecisionContext, key: string): TraceCandidate {
  return ctx.candidates.get(key) ?? { key, rank: null };
}

/** Collects and ranks the matched mappings' licences (SPEC §2 step 4). */
export function collectOffers(mappings: readonly CompiledMapping[], pools: ReadonlyMap<string, Pool>): Offers {
  const offers: Offers = { primaries: [], primaryPools: [], addons: [], addonPools: [] };
  for (let m = 0; m < mappings.length; m++) {
    const licences = (mappings[m] as CompiledMapping).offers;
    for (let l = 0; l < licences.length; l++) {
      const candidate = licences[l] as TraceCandidate;
      const pool = pools.get(candidate.key);
      if (kindOf(candidate, pool) === 'primary') {
        insert(offers.primaries, offers.primaryPools, candidate, pool, compareCandidates);
      } else {
        insert(offers.addons, offers.addonPools, candidate, pool, compareKeys);
      }
    }
  }
  return offers;
}

/**
 * Best first: by preference rank, keys missing from the order last, ties by key (SPEC §2 step 4).
 */
export function compareCandidates(a: TraceCandidate, b: TraceCandidate): number {
  if (a.rank !== b.rank) {
    if (a.rank === null) return 1;
    if (b.rank === null) return -1;
    return a.rank - b.rank;
  }
  return compareStrings(a.key, b.key);
}

function compareKeys(a: TraceCandidate, b: TraceCandidate): number {
  return compareStrings(a.key, b.key);
}

/** Sorted insertion into two parallel lists; a key already listed is skipped. */
function insert(
  list: TraceCandidate[],
  pools: (Pool | undefined)[],
  candidate: TraceCandidate,
  pool: Pool | undefined,
  compare: (a: TraceCandidate, b: TraceCandidate) => number,
): void {
  for (let i = 0; i < list.length; i++) if ((list[i] as TraceCandidate).key === candidate.key) return;
  let i = list.length;
  while (i > 0 && compare(list[i - 1] as TraceCandidate, candidate) > 0) i--;
  list.push(candidate);
  pools.push(pool);
  for (let j = list.length - 1; j > i; j--) {
    list[j] = list[j - 1] as TraceCandidate;
    pools[j] = pools[j - 1];
  }
  list[i] = candidate;
  pools[i] = pool;
}
