/**
 * A deliberately naive re-reading of SPEC §2, written without any code from src/domain, for the
 * property tests to compare decide() against. Linear scans and Array.prototype.sort everywhere.
 */
import type { HeldLicense, LicenseKind, Mapping, Policy, Pool, ReasonCode } from '../../../src/domain/types.js';

export interface ReferenceInput {
  readonly policy: Policy;
  readonly preferenceOrder: readonly string[];
  readonly mappings: readonly Mapping[];
  readonly pools: ReadonlyMap<string, Pool>;
  readonly active: boolean;
  readonly groups: readonly string[];
  readonly current: readonly HeldLicense[];
  readonly redistributeManual: boolean;
}

export interface ReferenceOutcome {
  readonly reason: ReasonCode;
  readonly target: string[];
  readonly manualKept: string[];
  readonly acquire: string[];
  readonly release: string[];
  readonly missing: string[];
  readonly waiting: boolean;
}

export function referenceKind(input: Pick<ReferenceInput, 'pools' | 'preferenceOrder'>, key: string): LicenseKind {
  const pool = input.pools.get(key);
  if (pool) return pool.kind;
  return input.preferenceOrder.includes(key) ? 'primary' : 'addon';
}

const unique = (keys: string[]): string[] => [...new Set(keys)];

export function referenceDecide(input: ReferenceInput): ReferenceOutcome {
  const { policy, pools, current } = input;
  const kind = (key: string): LicenseKind => referenceKind(input, key);
  if (!input.active) {
    return {
      reason: 'DEACTIVATED',
      target: [],
      manualKept: [],
      acquire: [],
      release: current.map((r) => `${r.key}:${r.origin}`).sort(),
      missing: [],
      waiting: false,
    };
  }
  const manualKept = input.redistributeManual ? [] : current.filter((r) => r.origin === 'manual').map((r) => r.key).sort();
  const matched = input.mappings.filter(
    (m) =>
      m.enabled &&
      input.groups.some((g) => (m.caseInsensitive ? g.toLowerCase() === m.idpGroup.toLowerCase() : g === m.idpGroup)),
  );
  const hasSeat = (key: string): boolean => {
    if (manualKept.includes(key)) return true;
    const pool = pools.get(key);
    if (!pool) return false;
    return pool.capacity - pool.used + (current.some((r) => r.key === key) ? 1 : 0) >= 1;
  };
  const manualPrimary = manualKept.filter((k) => kind(k) === 'primary').sort()[0];
  let bundles: string[][] = [];
  const admin = matched.some((m) => m.roles.some((r) => policy.adminRoles.includes(r)));
  if (admin) {
    const key = policy.adminLicense;
    const blocked = kind(key) === 'primary' && manualPrimary !== undefined && manualPrimary !== key;
    bundles = [blocked ? [] : [key]];
  } else if (matched.length > 0) {
    const keys = unique(matched.flatMap((m) => [...m.licenses]));
    const rank = (k: string): number => {
      const i = input.preferenceOrder.indexOf(k);
      return i === -1 ? Number.MAX_SAFE_INTEGER : i;
    };
    const primaries = keys
      .filter((k) => kind(k) === 'primary')
      .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    const addons = keys.filter((k) => kind(k) === 'addon');
    if (manualPrimary !== undefined || primaries.length === 0) bundles = [addons];
    else if (policy.fallbackToNextPreference) bundles = primaries.map((p) => [p, ...addons]);
    else bundles = [[primaries[0] as string, ...addons]];
  }
  const winner = bundles.find((b) => b.every(hasSeat));
  const failed = matched.length > 0 && winner === undefined;
  const target = winner ? winner.filter((k) => !manualKept.includes(k)).sort() : [];
  const missing = failed ? (bundles[0] ?? []).filter((k) => !hasSeat(k)).sort() : [];
  const acquire = target.filter((k) => !current.some((r) => r.key === k && r.origin === 'mapping'));
  const release = current
    .filter((r) => (r.origin === 'mapping' ? !target.includes(r.key) : input.redistributeManual))
    .map((r) => `${r.key}:${r.origin}`)
    .sort();
  let reason: ReasonCode;
  if (manualKept.length > 0) reason = 'MANUAL_PRESERVED';
  else if (matched.length === 0) reason = 'NO_MAPPING';
  else if (failed) reason = 'BUNDLE_UNAVAILABLE';
  else if (acquire.length === 0 && release.length === 0) reason = 'UNCHANGED';
  else reason = admin ? 'ADMIN_ONLY' : 'ALLOCATED';
  return { reason, target, manualKept, acquire, release, missing, waiting: failed };
}
