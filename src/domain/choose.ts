/**
 * Which bundle a matched user gets (SPEC §2 steps 3-5): the admin rule, the preference ranking
 * and the optional fallback, with a kept manual primary taking the user's one primary slot.
 */
import { evaluateBundle, type Holder } from './bundle.js';
import type { CompiledLicence, DecisionContext } from './context.js';
import type { Holdings } from './holdings.js';
import { kindOf, type Offers } from './rank.js';
import { EMPTY } from './sorted.js';
import type { TraceBundle, TraceRule } from './trace.js';
import type { Pool } from './types.js';

/** The choice, written into a record decide() reuses from call to call. */
export interface Choice {
  rule: TraceRule;
  /** A primary not granted because the user keeps a manual primary. */
  suppressedPrimary: string | null;
  /** Every bundle tried, in order. */
  bundles: readonly TraceBundle[];
  /** The bundle that fits, null when none did. */
  granted: TraceBundle | null;
}

export function createChoice(): Choice {
  return { rule: 'NO_MAPPING', suppressedPrimary: null, bundles: EMPTY, granted: null };
}

/** No matched mapping: no bundle (SPEC §2 step 1). */
export function chooseNothing(out: Choice): void {
  out.rule = 'NO_MAPPING';
  out.suppressedPrimary = null;
  out.bundles = EMPTY;
  out.granted = null;
}

/**
 * SPEC §2 step 3: an admin role gets exactly the admin licence. Should that licence be a primary
 * while the user keeps another manual primary, it is suppressed: one primary per user (SPEC §1).
 */
export function chooseAdmin(
  out: Choice,
  ctx: DecisionContext,
  pools: ReadonlyMap<string, Pool>,
  holder: Holder,
  holdings: Holdings,
): void {
  const licence = ctx.licences.get(ctx.policy.adminLicense) as CompiledLicence;
  const pool = pools.get(licence.key);
  const isPrimary = kindOf(licence.candidate, pool) === 'primary';
  const suppressed = isPrimary && holdings.manualPrimary !== null && holdings.manualPrimary !== licence.key;
  const bundle = suppressed
    ? evaluateBundle(holder, null, undefined, EMPTY, EMPTY, 0)
    : isPrimary
      ? evaluateBundle(holder, licence, pool, EMPTY, EMPTY, 0)
      : evaluateBundle(holder, null, undefined, [licence], [pool], 1);
  single(out, 'ADMIN_ONLY', suppressed ? licence.key : null, bundle);
}

/**
 * SPEC §2 steps 4-5: the best-ranked primary with every add-on, all or nothing; lower primaries
 * only with policy.fallbackToNextPreference. A kept manual primary takes the primary slot, so
 * the bundle is then the add-ons alone.
 */
export function choosePreference(out: Choice, ctx: DecisionContext, holder: Holder, holdings: Holdings, offers: Offers): void {
  const { primaries, primaryPools, primaryCount, addons, addonPools, addonCount } = offers;
  if (primaryCount === 0 || holdings.manualPrimary !== null) {
    const bundle = evaluateBundle(holder, null, undefined, addons, addonPools, addonCount);
    if (primaryCount === 0) {
      single(out, 'ADDONS_ONLY', null, bundle);
      return;
    }
    const top = (primaries[0] as CompiledLicence).key;
    single(out, 'MANUAL_PRIMARY', top === holdings.manualPrimary ? null : top, bundle);
    return;
  }
  const first = evaluateBundle(holder, primaries[0] as CompiledLicence, primaryPools[0], addons, addonPools, addonCount);
  if (first.fits || !ctx.policy.fallbackToNextPreference || primaryCount === 1) {
    single(out, 'PREFERENCE', null, first);
    return;
  }
  const bundles: TraceBundle[] = [first];
  out.suppressedPrimary = null;
  out.bundles = bundles;
  for (let i = 1; i < primaryCount; i++) {
    const next = evaluateBundle(holder, primaries[i] as CompiledLicence, primaryPools[i], addons, addonPools, addonCount);
    bundles.push(next);
    if (next.fits) {
      out.rule = 'FALLBACK';
      out.granted = next;
      return;
    }
  }
  out.rule = 'PREFERENCE';
  out.granted = null;
}

function single(out: Choice, rule: TraceRule, suppressedPrimary: string | null, bundle: TraceBundle): void {
  out.rule = rule;
  out.suppressedPrimary = suppressedPrimary;
  out.bundles = [bundle];
  out.granted = bundle.fits ? bundle : null;
}
