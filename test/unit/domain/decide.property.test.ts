import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDecisionContext } from '../../../src/domain/context.js';
import { decide } from '../../../src/domain/decide.js';
import { DEFAULT_POLICY, type Decision, type HeldLicense, type Mapping, type Pool } from '../../../src/domain/types.js';
import { referenceDecide, referenceKind, type ReferenceInput } from './reference.js';
import { heldKeys, shuffled } from './builders.js';

const ORDERED = ['bot-creator', 'citizen-developer', 'attended-bot-runner', 'unattended-bot-runner'];
/** legacy-runner is a primary the preference order never names. */
const PRIMARIES = [...ORDERED, 'legacy-runner'];
/** ghost-addon never has a pool. */
const ADDONS = ['process-discovery', 'bot-insight', 'iq-bot', 'ghost-addon'];
/** Case variants on purpose, plus a capital whose lower case is longer ('İ'). */
const GROUPS = ['Dev1', 'dev1', 'DEV1', 'Dev2', 'Ops', 'ops', 'Admins', 'Sales', 'İnfo', 'i̇nfo'];
const ROLES = ['AAE_Basic', 'AAE_Runner', 'AAE_Admin'];

const mappingBase: Mapping = {
  id: 'base',
  idpGroup: 'Base',
  caseInsensitive: false,
  roles: [],
  licenses: [],
  autoProvision: false,
  enabled: true,
};

const origin = fc.constantFrom<'mapping' | 'manual'>('mapping', 'manual');

const mappingArb: fc.Arbitrary<Mapping> = fc.record({
  id: fc.integer({ min: 0, max: 40 }).map((n) => `m${n}`),
  idpGroup: fc.constantFrom(...GROUPS),
  caseInsensitive: fc.boolean(),
  roles: fc.subarray(ROLES),
  licenses: fc
    .tuple(fc.option(fc.constantFrom(...PRIMARIES), { nil: undefined }), fc.subarray(ADDONS))
    .map(([primary, addons]) => (primary === undefined ? addons : [primary, ...addons])),
  autoProvision: fc.boolean(),
  enabled: fc.constantFrom(true, true, true, false),
});

const currentArb: fc.Arbitrary<HeldLicense[]> = fc
  .tuple(
    fc.option(fc.record({ key: fc.constantFrom(...PRIMARIES), origin }), { nil: undefined }),
    fc.subarray(ADDONS.slice(0, 3)).chain((keys) => fc.tuple(...keys.map((key) => fc.record({ key: fc.constant(key), origin })))),
  )
  .map(([primary, addons]) => (primary === undefined ? addons : [primary, ...addons]));

const poolsArb = fc
  .tuple(
    ...[...PRIMARIES, ...ADDONS.slice(0, 3)].map((key) =>
      fc.option(
        fc.record({ capacity: fc.integer({ min: 0, max: 3 }), used: fc.integer({ min: 0, max: 3 }) }).map(
          ({ capacity, used }): Pool => ({
            key,
            kind: PRIMARIES.includes(key) ? 'primary' : 'addon',
            capacity,
            used: Math.min(used, capacity),
          }),
        ),
        { nil: undefined, freq: 6 },
      ),
    ),
  )
  .map((pools) => pools.filter((p): p is Pool => p !== undefined));

const scenarioArb = fc
  .record({
    mappings: fc.uniqueArray(mappingArb, { selector: (m) => m.id, maxLength: 8 }),
    groups: fc.uniqueArray(fc.constantFrom(...GROUPS), { maxLength: 5 }),
    current: currentArb,
    pools: poolsArb,
    preferenceOrder: fc.shuffledSubarray(ORDERED),
    adminLicense: fc.constantFrom('bot-insight', 'bot-insight', 'citizen-developer'),
    fallbackToNextPreference: fc.boolean(),
    active: fc.constantFrom(true, true, true, false),
    redistributeManual: fc.boolean(),
    shuffleSeed: fc.nat(),
  })
  .map((s): ReferenceInput & { shuffleSeed: number } => {
    // A seat the user holds is counted in its pool's `used`, as the database guarantees.
    const pools = new Map<string, Pool>();
    for (const pool of s.pools) {
      const holds = s.current.some((row) => row.key === pool.key);
      const used = holds ? Math.max(pool.used, 1) : pool.used;
      pools.set(pool.key, { ...pool, used, capacity: Math.max(pool.capacity, used) });
    }
    return {
      policy: { ...DEFAULT_POLICY, adminLicense: s.adminLicense, fallbackToNextPreference: s.fallbackToNextPreference },
      preferenceOrder: s.preferenceOrder,
      mappings: s.mappings,
      pools,
      active: s.active,
      groups: s.groups,
      current: s.current,
      redistributeManual: s.redistributeManual,
      shuffleSeed: s.shuffleSeed,
    };
  });

function run(input: ReferenceInput): Decision {
  const ctx = createDecisionContext({
    policy: input.policy,
    preferenceOrder: input.preferenceOrder,
    mappings: input.mappings,
  });
  return decide(ctx, input, input.pools);
}

describe('decide: properties over arbitrary pools, mappings, groups and holdings', () => {
  it('agrees with an independent reference reading of SPEC §2', () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const d = run(input);
        const ref = referenceDecide(input);
        expect({
          reason: d.reason,
          target: d.target,
          manualKept: d.manualKept,
          acquire: d.acquire,
          release: heldKeys(d.release),
          missing: d.missing,
          waiting: d.waiting,
        }).toEqual(ref);
      }),
      { numRuns: 1000 },
    );
  });

  it('grants a bundle all or nothing: the target is empty or every member of a fitting bundle', () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const d = run(input);
        const granted = d.trace.bundles.find((b) => b.fits);
        if (granted === undefined) {
          expect(d.target).toEqual([]);
          return;
        }
        expect(d.waiting).toBe(false);
        expect(granted.members.every((m) => m.heldManually || m.available >= 1)).toBe(true);
        const expected = granted.members.filter((m) => !m.heldManually).map((m) => m.key).sort();
        expect(d.target).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves at most one primary among target and kept manual licences', () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const d = run(input);
        const primaries = [...d.target, ...d.manualKept].filter((k) => referenceKind(input, k) === 'primary');
        expect(primaries.length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });

  it('gives a matched admin exactly the admin licence or nothing', () => {
    const adminScenario = scenarioArb.map((input) => ({
      ...input,
      active: true,
      mappings: [...input.mappings, { ...mappingBase, id: 'admin', idpGroup: 'Admins', roles: ['AAE_Admin'] }],
      groups: [...new Set([...input.groups, 'Admins'])],
    }));
    fc.assert(
      fc.property(adminScenario, (input) => {
        const d = run(input);
        expect(d.matchedMappingIds).toContain('admin');
        expect([[], [input.policy.adminLicense]]).toContainEqual(d.target);
      }),
      { numRuns: 300 },
    );
  });

  it('never acquires a seat that is not free, unless the user releases that very seat first', () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const d = run(input);
        for (const key of d.acquire) {
          const pool = input.pools.get(key);
          expect(pool).toBeDefined();
          const free = (pool?.capacity ?? 0) - (pool?.used ?? 0);
          const ownSeat = d.release.some((row) => row.key === key);
          expect(free >= 1 || ownSeat).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('returns the same decision whatever the order of groups, mappings and current holdings', () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const seed = input.shuffleSeed;
        const reordered = {
          ...input,
          groups: shuffled(input.groups, seed),
          mappings: shuffled(input.mappings, seed + 1),
          current: shuffled(input.current, seed + 2),
        };
        expect(run(reordered)).toEqual(run(input));
      }),
      { numRuns: 500 },
    );
  });

  it('accounts for every current row exactly once: released, kept manually or kept in the target', () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const d = run(input);
        const kept = input.current.filter((row) =>
          row.origin === 'manual' ? d.manualKept.includes(row.key) : d.target.includes(row.key),
        );
        expect([...heldKeys(d.release), ...heldKeys(kept)].sort()).toEqual(heldKeys(input.current));
        expect(d.acquire.every((k) => d.target.includes(k))).toBe(true);
        expect(d.target.some((k) => d.manualKept.includes(k))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the trace plain JSON, its outcome mirroring the decision', () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const d = run(input);
        expect(JSON.parse(JSON.stringify(d.trace))).toEqual(d.trace);
        expect(d.trace.outcome).toEqual({
          reason: d.reason,
          target: d.target,
          acquire: d.acquire,
          release: d.release.map((r) => ({ key: r.key, origin: r.origin })),
          missing: d.missing,
        });
      }),
      { numRuns: 200 },
    );
  });
});
