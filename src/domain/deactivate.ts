/**
 * Inactive users hold nothing (SPEC §2 step 9).
 */
import { traceRelease } from './diff.js';
import { compareHeld } from './holdings.js';
import { EMPTY, insertSortedBy } from './sorted.js';
import type { Decision, HeldLicense } from './types.js';

/**
 * The decision for an inactive user: every current row goes, manual ones included, whatever the
 * operation's redistributeManual flag; no mapping is consulted (SPEC §2 step 9).
 */
export function deactivate(current: readonly HeldLicense[]): Decision {
  let release: HeldLicense[] | undefined;
  let revoked: string[] | undefined;
  for (let i = 0; i < current.length; i++) insertSortedBy((release ??= []), current[i] as HeldLicense, compareHeld);
  const released: readonly HeldLicense[] = release ?? EMPTY;
  for (let i = 0; i < released.length; i++) {
    const row = released[i] as HeldLicense;
    if (row.origin === 'manual') (revoked ??= []).push(row.key);
  }
  return {
    reason: 'DEACTIVATED',
    roles: EMPTY,
    target: EMPTY,
    manualKept: EMPTY,
    acquire: EMPTY,
    release: released,
    missing: EMPTY,
    matchedMappingIds: EMPTY,
    autoProvision: false,
    waiting: false,
    trace: {
      matched: EMPTY,
      candidates: EMPTY,
      rule: 'DEACTIVATED',
      manual: { kept: EMPTY, revoked: revoked ?? EMPTY, suppressedPrimary: null },
      bundles: EMPTY,
      outcome: {
        reason: 'DEACTIVATED',
        target: EMPTY,
        acquire: EMPTY,
        release: traceRelease(released),
        missing: EMPTY,
      },
    },
  };
}
