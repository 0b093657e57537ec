/**
 * Re-decides the users a SCIM group change touched (SPEC §3): one transaction per user through
 * the allocation service, audited as `scim:<token>`. Beyond the threshold the IdP gets its answer
 * at once and a `scim.members` job does the work; if an inline decision fails, the rest go to a
 * job too, so a membership that committed is never left undecided.
 */
import type { AllocationService } from '../allocation/service.js';
import type { Logger } from '../shared/logger.js';
import type { MembersJobs } from './members-job.js';

export interface RedecideDeps {
  readonly allocation: AllocationService;
  readonly jobs: MembersJobs;
  readonly logger: Logger;
  /** Users decided inline at most (default 200). */
  readonly inlineMax: number;
}

export interface Redecided {
  readonly decided: number;
  /** The job that will decide the rest, if any. */
  readonly jobId?: string;
}

export async function redecideUsers(deps: RedecideDeps, userIds: readonly string[], actor: string, groupId: string): Promise<Redecided> {
  const ids = [...new Set(userIds)].sort();
  if (ids.length === 0) return { decided: 0 };
  if (ids.length > deps.inlineMax) return { decided: 0, jobId: await deps.jobs.enqueue(ids, actor, groupId) };
  let decided = 0;
  try {
    for (const id of ids) {
      await decideOne(deps.allocation, id, actor);
      decided++;
    }
    return { decided };
  } catch (e) {
    deps.logger.warn('inline SCIM re-decision failed; handing the rest to a job', { error: (e as Error).message, remaining: ids.length - decided });
    return { decided, jobId: await deps.jobs.enqueue(ids.slice(decided), actor, groupId) };
  }
}

/** One user's decision in its own transaction; a user deleted meanwhile is skipped. */
export async function decideOne(allocation: AllocationService, userId: string, actor: string): Promise<string | null> {
  // Let pending I/O run between decisions: on PGlite the queries run on this thread, and an
  // unbroken promise chain of hundreds of decisions would starve the HTTP server meanwhile.
  await new Promise((r) => setImmediate(r));
  try {
    const d = await allocation.transaction(
      'scim',
      (tx, a) => allocation.decideInTx(tx, userId, a, { actor, action: 'scim.group.members', auditUnchanged: false }),
      (r) => [r],
    );
    return d.decision.reason;
  } catch (e) {
    if ((e as { code?: unknown }).code === 'NOT_FOUND') return null;
    throw e;
  }
}
