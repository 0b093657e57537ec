/**
 * Domain vocabulary of allot (SPEC §1, §2). Pure data: no I/O, no framework types.
 */
import type { Trace } from './trace.js';

export type LicenseKind = 'primary' | 'addon';
export type Origin = 'mapping' | 'manual';

/** A license type together with its pool (SPEC §1 "License type", "Pool"). */
export interface Pool {
  readonly key: string;
  readonly kind: LicenseKind;
  readonly capacity: number;
  readonly used: number;
}

export interface Mapping {
  readonly id: string;
  readonly idpGroup: string;
  readonly caseInsensitive: boolean;
  readonly roles: readonly string[];
  /** At most one primary, any add-ons (validated at the edges). */
  readonly licenses: readonly string[];
  readonly autoProvision: boolean;
  readonly enabled: boolean;
}

export interface JitPolicy {
  readonly redistributeManual: boolean;
  readonly denyUnmapped: boolean;
  readonly reactivateOnLogin: boolean;
}

export interface Policy {
  readonly adminRoles: readonly string[];
  readonly adminLicense: string;
  readonly fallbackToNextPreference: boolean;
  readonly jit: JitPolicy;
}

export const DEFAULT_POLICY: Policy = Object.freeze({
  adminRoles: Object.freeze(['AAE_Admin']),
  adminLicense: 'bot-insight',
  fallbackToNextPreference: false,
  jit: Object.freeze({ redistributeManual: false, denyUnmapped: true, reactivateOnLogin: false }),
});

export const DEFAULT_PREFERENCE_ORDER: readonly string[] = Object.freeze([
  'bot-creator',
  'citizen-developer',
  'attended-bot-runner',
  'unattended-bot-runner',
]);

export interface HeldLicense {
  readonly key: string;
  readonly origin: Origin;
}

export type ReasonCode =
  | 'NO_MAPPING'
  | 'ADMIN_ONLY'
  | 'ALLOCATED'
  | 'BUNDLE_UNAVAILABLE'
  | 'UNCHANGED'
  | 'MANUAL_PRESERVED'
  | 'DEACTIVATED';

export const REASON_CODES: readonly ReasonCode[] = [
  'NO_MAPPING',
  'ADMIN_ONLY',
  'ALLOCATED',
  'BUNDLE_UNAVAILABLE',
  'UNCHANGED',
  'MANUAL_PRESERVED',
  'DEACTIVATED',
];

export type {
  Trace,
  TraceBundle,
  TraceCandidate,
  TraceManual,
  TraceMatch,
  TraceMember,
  TraceOutcome,
  TraceRelease,
  TraceRule,
} from './trace.js';

/** What decide() needs to know about one user (SPEC §2 inputs other than the configuration). */
export interface Subject {
  readonly active: boolean;
  /** Effective groups: union of the saml and scim memberships (SPEC §1 "Membership"). */
  readonly groups: readonly string[];
  /** What the user holds now, at most one row per key. */
  readonly current: readonly HeldLicense[];
  /** Operation flag of SPEC §2 step 8: revoke manual rows and treat the user like everyone else. */
  readonly redistributeManual: boolean;
}

/** Outcome of SPEC §2 for one user. Every list is sorted by key (code-unit order). */
export interface Decision {
  readonly reason: ReasonCode;
  /** Sorted union of the matched mappings' roles. */
  readonly roles: readonly string[];
  /** Mapping-origin keys the user holds afterwards. */
  readonly target: readonly string[];
  /** Manual keys the user keeps. */
  readonly manualKept: readonly string[];
  /** Keys needing a new seat. */
  readonly acquire: readonly string[];
  /** Current rows to delete: mapping-origin rows not in target, manual rows when revoked or deactivated. */
  readonly release: readonly HeldLicense[];
  /** Keys that made the bundle unavailable; empty unless the bundle failed. */
  readonly missing: readonly string[];
  readonly matchedMappingIds: readonly string[];
  /** Some matched mapping may create the user at login (SPEC §3 "SAML login"). */
  readonly autoProvision: boolean;
  /** Matched mappings exist but no bundle fitted: the user joins the waitlist (SPEC §3 "Seat freed"). */
  readonly waiting: boolean;
  readonly trace: Trace;
}
