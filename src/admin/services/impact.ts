/**
 * What a configuration change would do, decided with the pure engine on current data: how many
 * users' roles or licenses would change, and how many active users hold an admin role before and
 * after (the admin lock-out guard).
 */
import { createDecisionContext, decide, type DecisionContext, type Mapping, type Policy } from '../../domain/index.js';
import { AppError } from '../../shared/errors.js';
import type { Member, Population } from './population.js';

export interface Proposal {
  readonly mappings?: readonly Mapping[];
  readonly policy?: Policy;
  readonly preferenceOrder?: readonly string[];
  /** Users to treat as deactivated. */
  readonly deactivate?: readonly string[];
}

export interface Impact {
  readonly affectedUsers: number;
  readonly adminsBefore: number;
  readonly adminsAfter: number;
}

/**
 * The groups whose members a mapping change can affect: the changed mappings' groups, and every
 * group of a mapping carrying an admin role before or after (the lock-out guard counts them).
 */
export function relevantGroups(changed: readonly Pick<Mapping, 'idpGroup'>[], all: readonly Mapping[], adminRoles: readonly string[]): string[] {
  const admin = all.filter((m) => m.roles.some((r) => adminRoles.includes(r)));
  return [...new Set([...changed, ...admin].map((m) => m.idpGroup))];
}

export function contextOf(pop: Population, p: Proposal = {}): DecisionContext {
  return createDecisionContext({
    policy: p.policy ?? pop.settings.policy,
    preferenceOrder: p.preferenceOrder ?? pop.settings.preferenceOrder,
    mappings: p.mappings ?? pop.mappings,
  });
}

export function impactOf(pop: Population, p: Proposal): Impact {
  const before = contextOf(pop);
  const after = contextOf(pop, p);
  const gone = new Set(p.deactivate ?? []);
  let affectedUsers = 0;
  let adminsBefore = 0;
  let adminsAfter = 0;
  for (const user of pop.users) {
    const a = decideFor(before, user, pop, false);
    const b = decideFor(after, user, pop, gone.has(user.id));
    if (isAdmin(before, user, a.roles)) adminsBefore++;
    if (!gone.has(user.id) && isAdmin(after, user, b.roles)) adminsAfter++;
    if (a.reason !== b.reason || a.roles.join() !== b.roles.join() || a.target.join() !== b.target.join()) affectedUsers++;
  }
  return { affectedUsers, adminsBefore, adminsAfter };
}

function decideFor(ctx: DecisionContext, user: Member, pop: Population, deactivated: boolean) {
  return decide(ctx, { active: user.active && !deactivated, groups: user.groups, current: user.current, redistributeManual: false }, pop.pools);
}

function isAdmin(ctx: DecisionContext, user: Member, roles: readonly string[]): boolean {
  return user.active && roles.some((r) => ctx.policy.adminRoles.includes(r));
}

/**
 * Refuses a change that would leave no active user with an admin role (nobody could administer
 * allot through the web page any more), unless the caller confirmed it. A configuration that had
 * no admin before is not locked out by the change.
 */
export function guardAdminLockout(impact: Impact, confirm: boolean | undefined): void {
  if (confirm || impact.adminsBefore === 0 || impact.adminsAfter > 0) return;
  throw new AppError(
    'ADMIN_LOCKOUT',
    `this change would leave no active user with an admin role (${impact.adminsBefore} now); repeat it with "confirm": true to proceed`,
    { adminsBefore: impact.adminsBefore, adminsAfter: 0 },
  );
}
