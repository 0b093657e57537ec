/**
 * Shape of the decision trace (SPEC §2, last paragraph). It is what `explain` shows and what the
 * audit log stores as jsonb, so it holds plain JSON data only: strings, numbers, booleans, null,
 * arrays and objects, with its sections in the order SPEC §2 lists them.
 */
import type { LicenseKind, Origin, ReasonCode } from './types.js';

/** Which branch of SPEC §2 chose the bundle. */
export type TraceRule =
  | 'DEACTIVATED'
  | 'NO_MAPPING'
  | 'ADMIN_ONLY'
  | 'PREFERENCE'
  | 'FALLBACK'
  | 'MANUAL_PRIMARY'
  | 'ADDONS_ONLY';

export interface TraceMatch {
  readonly id: string;
  readonly idpGroup: string;
  /** The group string the IdP sent; differs from idpGroup only for case-insensitive mappings. */
  readonly matchedGroup: string;
  readonly roles: readonly string[];
  readonly licenses: readonly string[];
}

export interface TraceCandidate {
  readonly key: string;
  /** 1-based position in the preference order, null when the key is not in it (ranks last). */
  readonly rank: number | null;
}

export interface TraceManual {
  readonly kept: readonly string[];
  readonly revoked: readonly string[];
  /** The mapping primary not granted because the user keeps a manual primary (SPEC §1: one primary). */
  readonly suppressedPrimary: string | null;
}

export interface TraceMember {
  readonly key: string;
  readonly kind: LicenseKind;
  readonly capacity: number;
  readonly used: number;
  readonly heldByUser: boolean;
  /** capacity - used, plus one when the user holds the key (SPEC §2 step 6). */
  readonly available: number;
  /** Satisfied by a manual row the user keeps: no mapping seat is taken for it. */
  readonly heldManually: boolean;
}

export interface TraceBundle {
  readonly primary: string | null;
  readonly members: readonly TraceMember[];
  readonly fits: boolean;
}

export interface TraceRelease {
  readonly key: string;
  readonly origin: Origin;
}

export interface TraceOutcome {
  readonly reason: ReasonCode;
  readonly target: readonly string[];
  readonly acquire: readonly string[];
  readonly release: readonly TraceRelease[];
  readonly missing: readonly string[];
}

export interface Trace {
  readonly matched: readonly TraceMatch[];
  readonly candidates: readonly TraceCandidate[];
  readonly rule: TraceRule;
  readonly manual: TraceManual;
  readonly bundles: readonly TraceBundle[];
  readonly outcome: TraceOutcome;
}
