import { describe, expect, it } from 'vitest';
import { planRedistribution, type PlanUser, type RedistributionPlan } from '../../../src/domain/plan-redistribution.js';
import type { HeldLicense, Mapping, Pool } from '../../../src/domain/types.js';
import { context, held, mapping, pool } from './builders.js';

const BC = mapping('bc', 'BC', ['bot-creator']);
const CD = mapping('cd', 'CD', ['citizen-developer']);

function user(id: string, day: number, groups: string[], current: HeldLicense[] = [], active = true): PlanUser {
  return { id, createdAt: new Date(Date.UTC(2026, 0, day)), active, groups, current };
}

function plan(args: {
  mappings: Mapping[];
  pools: Pool[];
  users: PlanUser[];
  redistributeManual?: boolean;
  capacity?: Record<string, number>;
  fallback?: boolean;
}): RedistributionPlan {
  return planRedistribution({
    context: context(args.mappings, { fallbackToNextPreference: args.fallback ?? false }),
    pools: new Map(args.pools.map((p) => [p.key, p])),
    users: args.users,
    redistributeManual: args.redistributeManual ?? false,
    ...(args.capacity ? { capacity: args.capacity } : {}),
  });
}

const afterOf = (p: RedistributionPlan): Record<string, string[]> =>
  Object.fromEntries(p.users.map((u) => [u.id, u.after.map((r) => (r.origin === 'manual' ? `${r.key}(manual)` : r.key))]));

describe('planRedistribution', () => {
  it('swaps two licences between two users while both pools are full', () => {
    const p = plan({
      mappings: [BC, CD],
      pools: [pool('bot-creator', 1, 1), pool('citizen-developer', 1, 1)],
      users: [user('a', 1, ['CD'], [held('bot-creator')]), user('b', 2, ['BC'], [held('citizen-developer')])],
    });
    expect(afterOf(p)).toEqual({ a: ['citizen-developer'], b: ['bot-creator'] });
    expect(p.users.map((u) => u.decision.reason)).toEqual(['ALLOCATED', 'ALLOCATED']);
    expect(p.licenses.map((l) => [l.key, l.usedAfter, l.acquired, l.released])).toEqual([
      ['bot-creator', 1, 1, 1],
      ['citizen-developer', 1, 1, 1],
    ]);
  });

  it('lets the holder of a seat keep it against an earlier-created newcomer', () => {
    const p = plan({
      mappings: [BC],
      pools: [pool('bot-creator', 1, 1)],
      users: [user('old', 1, ['BC']), user('young', 9, ['BC'], [held('bot-creator')])],
    });
    expect(afterOf(p)).toEqual({ old: [], young: ['bot-creator'] });
    expect(p.users[0]!.decision.reason).toBe('BUNDLE_UNAVAILABLE');
    expect(p.users[1]!.decision.reason).toBe('UNCHANGED');
  });

  it('decides holders first, so a newcomer cannot take the add-on a holder now needs', () => {
    const bcPd = mapping('bc', 'BC', ['bot-creator', 'process-discovery']);
    const cdPd = mapping('cd', 'CD', ['citizen-developer', 'process-discovery']);
    const p = plan({
      mappings: [bcPd, cdPd],
      pools: [pool('bot-creator', 1, 1), pool('citizen-developer', 5, 0), pool('process-discovery', 1, 0)],
      users: [user('newcomer', 1, ['CD']), user('holder', 9, ['BC'], [held('bot-creator')])],
    });
    expect(afterOf(p)).toEqual({ newcomer: [], holder: ['bot-creator', 'process-discovery'] });
    expect(p.users.map((u) => u.group)).toEqual(['others', 'holders']);
  });

  it('gives a contended free seat to users in (createdAt, id) order', () => {
    const p = plan({
      mappings: [BC],
      pools: [pool('bot-creator', 2, 0)],
      users: [user('z', 5, ['BC']), user('b', 3, ['BC']), user('a', 3, ['BC'])],
    });
    expect(afterOf(p)).toEqual({ a: ['bot-creator'], b: ['bot-creator'], z: [] });
    expect(p.totals.reasons).toEqual({ ALLOCATED: 2, BUNDLE_UNAVAILABLE: 1 });
  });

  it('preserves manual rows unless redistributeManual, then treats the holder like everyone else', () => {
    const users = [user('m', 1, ['CD'], [held('bot-creator', 'manual')]), user('n', 2, ['BC'])];
    const pools = [pool('bot-creator', 1, 1), pool('citizen-developer', 1, 0)];
    expect(afterOf(plan({ mappings: [BC, CD], pools, users }))).toEqual({ m: ['bot-creator(manual)'], n: [] });
    const revoked = plan({ mappings: [BC, CD], pools, users, redistributeManual: true });
    expect(afterOf(revoked)).toEqual({ m: ['citizen-developer'], n: ['bot-creator'] });
  });

  it('turns a revoked manual row the mappings still grant into a mapping row without losing the seat', () => {
    const p = plan({
      mappings: [BC],
      pools: [pool('bot-creator', 1, 1)],
      users: [user('older', 1, ['BC']), user('m', 5, ['BC'], [held('bot-creator', 'manual')])],
      redistributeManual: true,
    });
    expect(afterOf(p)).toEqual({ older: [], m: ['bot-creator'] });
  });

  it('releases everything an inactive user holds, manual rows included', () => {
    const p = plan({
      mappings: [BC],
      pools: [pool('bot-creator', 1, 1), pool('bot-insight', 1, 1)],
      users: [user('gone', 1, ['BC'], [held('bot-creator'), held('bot-insight', 'manual')], false), user('next', 2, ['BC'])],
    });
    expect(afterOf(p)).toEqual({ gone: [], next: ['bot-creator'] });
    expect(p.users[0]!.decision.reason).toBe('DEACTIVATED');
  });

  it('keeps a fallback primary its holder still gets when the preferred one is sold out', () => {
    const both = mapping('both', 'Both', ['bot-creator', 'citizen-developer']);
    const p = plan({
      mappings: [both],
      pools: [pool('bot-creator', 0, 0), pool('citizen-developer', 1, 1)],
      users: [user('old', 1, ['Both']), user('holder', 5, ['Both'], [held('citizen-developer')])],
      fallback: true,
    });
    expect(afterOf(p)).toEqual({ old: [], holder: ['citizen-developer'] });
  });

  it('lowers a capacity by evicting the youngest mapping holders first, manual rows last', () => {
    const p = plan({
      mappings: [BC],
      pools: [pool('bot-creator', 4, 4)],
      users: [
        user('a', 1, ['BC'], [held('bot-creator')]),
        user('b', 2, ['BC'], [held('bot-creator')]),
        user('c', 3, ['BC'], [held('bot-creator')]),
        user('d', 4, ['BC'], [held('bot-creator', 'manual')]),
      ],
      capacity: { 'bot-creator': 2 },
    });
    expect(afterOf(p)).toEqual({ a: ['bot-creator'], b: [], c: [], d: ['bot-creator(manual)'] });
    expect(p.licenses).toEqual([{ key: 'bot-creator', capacity: 2, usedBefore: 4, usedAfter: 2, acquired: 0, released: 2 }]);
  });

  it('reports per-reason counts and seat flows per licence', () => {
    const p = plan({
      mappings: [BC, CD],
      pools: [pool('bot-creator', 1, 1), pool('citizen-developer', 3, 0)],
      users: [user('a', 1, ['CD'], [held('bot-creator')]), user('b', 2, ['BC']), user('c', 3, []), user('d', 4, ['CD'])],
    });
    expect(p.totals).toEqual({
      reasons: { ALLOCATED: 3, NO_MAPPING: 1 },
      licenses: { 'bot-creator': { acquired: 1, released: 1 }, 'citizen-developer': { acquired: 2, released: 0 } },
      evicted: 0,
      moved: 3,
    });
  });
});
