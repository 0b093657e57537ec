/**
 * Licence kinds and the ranking of candidate primaries (SPEC §2 step 4).
 */
import type { CompiledLicence, CompiledMapping, DecisionContext } from './context.js';
import { compareStrings } from './sorted.js';
import type { TraceCandidate } from './trace.js';
import type { LicenseKind, Pool } from './types.js';

/**
 * The licences offered by the matched mappings, split by kind, each with its pool looked up once
 * per decision (parallel lists). decide() reuses one instance from call to call: the lists are
 * overwritten, never shrunk, and only the first `primaryCount` / `addonCount` entries count.
 */
export interface Offers {
  /** Candidate primaries, best first (by byPreference). */
  readonly primaries: CompiledLicence[];
  readonly primaryPools: (Pool | undefined)[];
  primaryCount: number;
  /** Add-ons of every matched mapping, by key (SPEC §2 step 4: also those whose primary lost). */
  readonly addons: CompiledLicence[];
  readonly addonPools: (Pool | undefined)[];
  addonCount: number;
}

export function createOffers(): Offers {
  return { primaries: [], primaryPools: [], primaryCount: 0, addons: [], addonPools: [], addonCount: 0 };
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
  return ctx.licences.get(key)?.candidate ?? { key, rank: null };
}

/** Collects and ranks the licences of the first `count` matched mappings into `offers` (SPEC §2 step 4). */
export function collectOffers(
  offers: Offers,
  mappings: readonly CompiledMapping[],
  count: number,
  pools: ReadonlyMap<string, Pool>,
): void {
  offers.primaryCount = 0;
  offers.addonCount = 0;
  for (let m = 0; m < count; m++) {
    const licences = (mappings[m] as CompiledMapping).offers;
    for (let l = 0; l < licences.length; l++) {
      const licence = licences[l] as CompiledLicence;
      if (listed(offers.primaries, offers.primaryCount, licence) || listed(offers.addons, offers.addonCount, licence)) continue;
      const pool = pools.get(licence.key);
      if (kindOf(licence.candidate, pool) === 'primary') {
        offers.primaryCount = insertSorted(offers.primaries, offers.primaryPools, offers.primaryCount, licence, pool, 'byPreference');
      } else {
        offers.addonCount = insertSorted(offers.addons, offers.addonPools, offers.addonCount, licence, pool, 'byKey');
      }
    }
  }
}

/**
 * Best first: by preference rank, keys missing from the order last, ties by key (SPEC §2 step 4).
 * The context compiles this order into CompiledLicence.byPreference.
 */
export function compareCandidates(a: TraceCandidate, b: TraceCandidate): number {
  if (a.rank !== b.rank) {
    if (a.rank === null) return 1;
    if (b.rank === null) return -1;
    return a.rank - b.rank;
  }
  return compareStrings(a.key, b.key);
}

function listed(list: readonly CompiledLicence[], count: number, licence: CompiledLicence): boolean {
  for (let i = 0; i < count; i++) if (list[i] === licence) return true;
  return false;
}

/**
 * Sorted insertion, by one of the licence's integer orders, into the first `count` entries of two
 * parallel lists; returns the new count.
 */
function insertSorted(
  list: CompiledLicence[],
  pools: (Pool | undefined)[],
  count: number,
  licence: CompiledLicence,
  pool: Pool | undefined,
  order: 'byPreference' | 'byKey',
): number {
  let i = count;
  while (i > 0 && (list[i - 1] as CompiledLicence)[order] > licence[order]) {
    list[i] = list[i - 1] as CompiledLicence;
    pools[i] = pools[i - 1];
    i--;
  }
  list[i] = licence;
  pools[i] = pool;
  return count + 1;
}
