/**
 * Builders for domain tests: the licence stock, mappings and subjects of SPEC §2's worked cases.
 */
import { createDecisionContext, type DecisionContext } from '../../../src/domain/context.js';
import { decide } from '../../../src/domain/decide.js';
import {
  DEFAULT_POLICY,
  DEFAULT_PREFERENCE_ORDER,
  type Decision,
  type HeldLicense,
  type Mapping,
  type Origin,
  type Policy,
  type Pool,
  type Subject,
} from '../../../src/domain/types.js';

export const PRIMARIES = ['bot-creator', 'citizen-developer', 'attended-bot-runner', 'unattended-bot-runner'];
export const ADDONS = ['process-discovery', 'bot-insight'];

/** A pool; kind defaults to primary for keys of the default preference order. */
export function pool(key: string, capacity: number, used = 0, kind = PRIMARIES.includes(key) ? 'primary' : 'addon'): Pool {
  return { key, kind: kind === 'primary' ? 'primary' : 'addon', capacity, used };
}

/** Ten free seats of every licence of SPEC §2, except the keys listed as sold out. */
export function stock(options: { soldOut?: readonly string[]; extra?: readonly Pool[] } = {}): Map<string, Pool> {
  const pools = new Map<string, Pool>();
  for (const key of [...PRIMARIES, ...ADDONS]) {
    pools.set(key, pool(key, 10, options.soldOut?.includes(key) ? 10 : 0));
  }
  for (const extra of options.extra ?? []) pools.set(extra.key, extra);
  return pools;
}

export function mapping(id: string, idpGroup: string, licenses: readonly string[], overrides: Partial<Mapping> = {}): Mapping {
  return {
    id,
    idpGroup,
    caseInsensitive: false,
    roles: ['AAE_Basic'],
    licenses,
    autoProvision: false,
    enabled: true,
    ...overrides,
  };
}

/** SPEC §2: Dev1 = citizen-developer + process-discovery, Dev2 = attended-bot-runner + bot-insight. */
export const DEV1 = mapping('dev1', 'Dev1', ['citizen-developer', 'process-discovery']);
export const DEV2 = mapping('dev2', 'Dev2', ['attended-bot-runner', 'bot-insight']);

export function context(
  mappings: readonly Mapping[],
  policy: Partial<Policy> = {},
  preferenceOrder: readonly string[] = DEFAULT_PREFERENCE_ORDER,
): DecisionContext {
  return createDecisionContext({ policy: { ...DEFAULT_POLICY, ...policy }, preferenceOrder, mappings });
}

export function held(key: string, origin: Origin = 'mapping'): HeldLicense {
  return { key, origin };
}

export function subject(groups: readonly string[], current: readonly HeldLicense[] = [], overrides: Partial<Subject> = {}): Subject {
  return { active: true, groups, current, redistributeManual: false, ...overrides };
}

/** One decision in a line: the mappings, the user's groups and holdings, and the stock. */
export function decideFor(args: {
  mappings: readonly Mapping[];
  groups: readonly string[];
  current?: readonly HeldLicense[];
  pools?: ReadonlyMap<string, Pool>;
  policy?: Partial<Policy>;
  preferenceOrder?: readonly string[];
  subject?: Partial<Subject>;
}): Decision {
  const ctx = context(args.mappings, args.policy, args.preferenceOrder);
  return decide(ctx, subject(args.groups, args.current, args.subject), args.pools ?? stock());
}

/** Release rows as "key:origin", for short assertions. */
export function released(decision: Decision): string[] {
  return decision.release.map((row) => `${row.key}:${row.origin}`);
}

/** Fisher-Yates driven by a small LCG, so a failing permutation replays from its seed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Held rows as sorted "key:origin" strings, for order-free comparisons. */
export const heldKeys = (rows: readonly HeldLicense[]): string[] => rows.map((r) => `${r.key}:${r.origin}`).sort();
