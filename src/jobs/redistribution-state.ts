/**
 * What a redistribution job persists between batches (job.cursor and job.summary), so a crashed
 * job resumes where its last committed batch left it, and the API and CLI can show progress.
 */
import type { HeldLicense } from '../domain/index.js';
import type { RedistributionTotals } from '../domain/plan-totals.js';
import type { Keyset } from './batch-load.js';
import type { ResolvedScope } from './redistribution-scope.js';

/** release → evict (only with lowered capacities) → holders → others → done (see plan-redistribution.ts). */
export type Phase = 'release' | 'evict' | 'holders' | 'others' | 'done';
export const PHASES: readonly Phase[] = ['release', 'evict', 'holders', 'others', 'done'];

export interface RedistributionCursor {
  /** The process running the job; every batch checks it still owns the job. */
  owner: string;
  phase: Phase;
  after: Keyset | null;
  /** During the evict phase: the licence being cut (keys go in order). */
  evictKey?: string;
  scope: ResolvedScope;
  /** Newest audit id when the job started: the job reads back its own audit rows above it. */
  auditFrom: string;
}

export interface DiffEntry {
  readonly userId: string;
  readonly nameId: string;
  readonly reason: string;
  readonly before: readonly HeldLicense[];
  readonly after: readonly HeldLicense[];
}

export interface LicenseState {
  readonly key: string;
  readonly capacity: number;
  readonly used: number;
}

export interface RedistributionSummary {
  dryRun: boolean;
  phase: Phase;
  /** Users of the release step (those holding something when it started). */
  release: { processed: number; total: number };
  totals: RedistributionTotals;
  /** Pools when the job started and, once it ended, after it. */
  licensesBefore: LicenseState[];
  licensesAfter?: LicenseState[];
  /** Dry runs: the users whose holdings would change (at most DIFF_LIMIT). */
  diff?: DiffEntry[];
  diffTruncated?: boolean;
}

export const DIFF_LIMIT = 1000;

export function phaseAfter(phase: Phase, hasCapacity: boolean): Phase {
  const next = PHASES[PHASES.indexOf(phase) + 1] ?? 'done';
  return next === 'evict' && !hasCapacity ? 'holders' : next;
}
