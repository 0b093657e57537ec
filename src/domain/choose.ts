/**
 * Which bundle a matched user gets (SPEC §2 steps 3-5): the admin rule, the preference ranking
 * and the optional fallback, with a kept manual primary taking the user's one primary slot.
 */
import { evaluateBundle, type Holder } from './bundle.js';
import type { DecisionContext } from './context.js';
import type { Holdings } from './holdings.js';
import { candidateOf, kindOf, type Offers } from './rank.js';
import { EMPTY } from './sorted.js';
import type { TraceBundle, TraceRule } from './trace.js';
import type { Pool } from './types.js';

export interface Choice {
  readonly rule: TraceRule;
  /** A primary not granted because the user keeps a manual primary. */
  readonly suppressedPrimary: string | null;
  /** Every bundle tried, in order. */
  readonly bundles: readonly TraceBundle[];
  /** The bundle that fits, null when none did. */
  readonly granted: TraceBundle | null;
}

/**
 * SPEC §2 step 3: an admin role gets exactly the admin licence. Should that licence be a primary
 * while the user keeps another manual primary, it is suppressed: one primary per user (SPEC §1).
 */
export function chooseAdmin(
  ctx: DecisionContext,
  pools: ReadonlyMap<string, Pool>,
  holder: Holder,
  holdings: Holdings,
): Choice {
  const candidate = candidateOf(ctx, ctx.policy.adminLicense);
  const pool = pools.get(candidate.key);
  const isPrimary = kindOf(candidate, pool) === 'primary';
  const suppressed = isPrimary && holdings.manualPrimary !== null && holdings.manualPrimary !== candidate.key;
  const bundle = suppressed
    ? evaluateBundle(holder, null, undefined, EMPTY, EMPTY)
    : isPrimary
      ? evaluateBundle(holder, candidate, pool, EMPTY, EMPTY)
      : evaluateBundle(holder, null, undefined, [candidate], [pool]);
  return single('ADMIN_ONLY', suppressed ? candidate.key : null, bundle);
}

/**
 * SPEC §2 steps 4-5: the best-ranked primary with every add-on, all or nothing; lower primaries
 * only with policy.fallbackToNextPreference. A kept manual primary takes the primary slot, so
 * the bundle is then the add-ons alone.
 */
export function choosePreference(
  ctx: DecisionContext,
  holder: Holder,
  holdings: Holdings,
  offers: Offers,
): Choice {
  const { primaries, primaryPools, addons, addonPools } = offers;
  const top = primaries[0];
  if (top === undefined || holdings.manualPrimary !== null) {
    const bundle = evaluateBundle(holder, null, undefined, addons, addonPools);
    if (top === undefined) return single('ADDONS_ONLY', null, bundle);
    return single('MANUAL_PRIMARY', top.key === holdings.manualPrimary ? null : top.key, bundle);
  }
  const first = evaluateBundle(holder, top, primaryPools[0], addons, addonPools);
  if (first.fits || !ctx.policy.fallbackToNextPreference || primaries.length === 1) {
    return single('PREFERENCE', null, first);
  }
  const bundles: TraceBundle[] = [first];
  for (let i = 1; i < primaries.length; i++) {
    const next = evaluateBundle(holder, primaries[i] ?? null, primaryPools[i], addons, addonPools);
    bundles.push(next);
    if (next.fits) return { rule: 'FALLBACK', suppressedPrimary: null, bundles, granted: next };
  }
  return { rule: 'PREFERENCE', suppressedPrimary: null, bundles, granted: null };
}

function single(rule: TraceRule, suppressedPrimary: string | null, bundle: TraceBundle): Choice {
  return { rule, suppressedPrimary, bundles: [bundle], granted: bundle.fits ? bundle : null };
}
