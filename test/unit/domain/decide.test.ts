import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/domain/decide.js';
import { context, decideFor, DEV1, DEV2, held, mapping, pool, released, stock, subject } from './builders.js';

describe('decide: SPEC §2 worked cases', () => {
  it('gives Fiona citizen-developer over attended-bot-runner', () => {
    const d = decideFor({
      mappings: [mapping('dev1', 'Dev1', ['citizen-developer']), mapping('dev2', 'Dev2', ['attended-bot-runner'])],
      groups: ['Dev1', 'Dev2'],
    });
    expect(d.reason).toBe('ALLOCATED');
    expect(d.target).toEqual(['citizen-developer']);
    expect(d.acquire).toEqual(['citizen-developer']);
    expect(d.release).toEqual([]);
    expect(d.trace.candidates).toEqual([
      { key: 'citizen-developer', rank: 2 },
      { key: 'attended-bot-runner', rank: 3 },
    ]);
    expect(d.trace.rule).toBe('PREFERENCE');
  });

  it('gives citizen-developer, process-discovery and bot-insight to Dev1 + Dev2 when all are available', () => {
    const d = decideFor({ mappings: [DEV1, DEV2], groups: ['Dev1', 'Dev2'] });
    expect(d.reason).toBe('ALLOCATED');
    expect(d.target).toEqual(['bot-insight', 'citizen-developer', 'process-discovery']);
    expect(d.acquire).toEqual(['bot-insight', 'citizen-developer', 'process-discovery']);
    expect(d.missing).toEqual([]);
    expect(d.waiting).toBe(false);
  });

  it('gives the same bundle to Dev1 + Dev2 when attended-bot-runner is sold out', () => {
    const d = decideFor({ mappings: [DEV1, DEV2], groups: ['Dev1', 'Dev2'], pools: stock({ soldOut: ['attended-bot-runner'] }) });
    expect(d.reason).toBe('ALLOCATED');
    expect(d.target).toEqual(['bot-insight', 'citizen-developer', 'process-discovery']);
  });

  it.each(['citizen-developer', 'process-discovery', 'bot-insight'])(
    'gives Dev1 + Dev2 no licence at all when %s is sold out',
    (soldOut) => {
      const d = decideFor({ mappings: [DEV1, DEV2], groups: ['Dev1', 'Dev2'], pools: stock({ soldOut: [soldOut] }) });
      expect(d.reason).toBe('BUNDLE_UNAVAILABLE');
      expect(d.target).toEqual([]);
      expect(d.acquire).toEqual([]);
      expect(d.missing).toEqual([soldOut]);
      expect(d.waiting).toBe(true);
      expect(d.trace.bundles).toHaveLength(1);
      expect(d.trace.bundles[0]?.fits).toBe(false);
    },
  );

  it('gives no licence when bot-creator is sold out, without falling back to citizen-developer', () => {
    const d = decideFor({
      mappings: [mapping('creators', 'Creators', ['bot-creator']), DEV1],
      groups: ['Creators', 'Dev1'],
      pools: stock({ soldOut: ['bot-creator'] }),
    });
    expect(d.reason).toBe('BUNDLE_UNAVAILABLE');
    expect(d.target).toEqual([]);
    expect(d.missing).toEqual(['bot-creator']);
    expect(d.trace.bundles.map((b) => b.primary)).toEqual(['bot-creator']);
  });

  it('gives only bot-insight to a user with an AAE_Admin mapping among others', () => {
    const admins = mapping('admins', 'Admins', [], { roles: ['AAE_Admin'] });
    const d = decideFor({ mappings: [admins, DEV1, DEV2], groups: ['Dev1', 'Admins', 'Dev2'] });
    expect(d.reason).toBe('ADMIN_ONLY');
    expect(d.target).toEqual(['bot-insight']);
    expect(d.acquire).toEqual(['bot-insight']);
    expect(d.roles).toEqual(['AAE_Admin', 'AAE_Basic']);
    expect(d.trace.rule).toBe('ADMIN_ONLY');
  });

  it('releases bot-creator and allocates citizen-developer when a bot-creator holder is now mapped only to citizen-developer', () => {
    const d = decideFor({
      mappings: [mapping('dev1', 'Dev1', ['citizen-developer'])],
      groups: ['Dev1'],
      current: [held('bot-creator')],
    });
    expect(d.reason).toBe('ALLOCATED');
    expect(d.target).toEqual(['citizen-developer']);
    expect(d.acquire).toEqual(['citizen-developer']);
    expect(released(d)).toEqual(['bot-creator:mapping']);
  });
});

describe('decide: preference and fallback', () => {
  const creators = mapping('creators', 'Creators', ['bot-creator', 'bot-insight']);
  const runners = mapping('runners', 'Runners', ['attended-bot-runner']);

  it('falls back to the next primary with the same add-ons when fallbackToNextPreference is on', () => {
    const d = decideFor({
      mappings: [creators, runners],
      groups: ['Creators', 'Runners'],
      pools: stock({ soldOut: ['bot-creator'] }),
      policy: { fallbackToNextPreference: true },
    });
    expect(d.reason).toBe('ALLOCATED');
    expect(d.target).toEqual(['attended-bot-runner', 'bot-insight']);
    expect(d.missing).toEqual([]);
    expect(d.trace.rule).toBe('FALLBACK');
    expect(d.trace.bundles.map((b) => [b.primary, b.fits])).toEqual([
      ['bot-creator', false],
      ['attended-bot-runner', true],
    ]);
  });

  it('reports the top bundle as missing when no fallback bundle fits either', () => {
    const d = decideFor({
      mappings: [creators, runners],
      groups: ['Creators', 'Runners'],
      pools: stock({ soldOut: ['bot-creator', 'bot-insight'] }),
      policy: { fallbackToNextPreference: true },
    });
    expect(d.reason).toBe('BUNDLE_UNAVAILABLE');
    expect(d.target).toEqual([]);
    expect(d.missing).toEqual(['bot-creator', 'bot-insight']);
    expect(d.trace.bundles).toHaveLength(2);
  });

  it('ranks primaries missing from the preference order last and breaks their ties by key', () => {
    const pools = stock({ extra: [pool('zeta-runner', 5, 0, 'primary'), pool('alpha-runner', 5, 0, 'primary')] });
    const mappings = [
      mapping('z', 'Z', ['zeta-runner']),
      mapping('a', 'A', ['alpha-runner']),
      mapping('u', 'U', ['unattended-bot-runner']),
    ];
    const all = decideFor({ mappings, groups: ['Z', 'A', 'U'], pools });
    expect(all.target).toEqual(['unattended-bot-runner']);
    expect(all.trace.candidates).toEqual([
      { key: 'unattended-bot-runner', rank: 4 },
      { key: 'alpha-runner', rank: null },
      { key: 'zeta-runner', rank: null },
    ]);
    const unranked = decideFor({ mappings, groups: ['Z', 'A'], pools });
    expect(unranked.target).toEqual(['alpha-runner']);
  });

  it('gives the add-ons alone to mappings that carry no primary', () => {
    const d = decideFor({ mappings: [mapping('pd', 'PD', ['process-discovery', 'bot-insight'])], groups: ['PD'] });
    expect(d.reason).toBe('ALLOCATED');
    expect(d.target).toEqual(['bot-insight', 'process-discovery']);
    expect(d.trace.rule).toBe('ADDONS_ONLY');
  });

  it('counts a licence without a pool as unavailable', () => {
    const d = decideFor({ mappings: [mapping('x', 'X', ['citizen-developer', 'ghost-addon'])], groups: ['X'] });
    expect(d.reason).toBe('BUNDLE_UNAVAILABLE');
    expect(d.missing).toEqual(['ghost-addon']);
    expect(d.target).toEqual([]);
  });
});

describe('decide: matching', () => {
  it('matches a case-insensitive mapping whatever the case the IdP sends', () => {
    const d = decideFor({ mappings: [mapping('dev1', 'Dev1', ['citizen-developer'], { caseInsensitive: true })], groups: ['DEV1'] });
    expect(d.reason).toBe('ALLOCATED');
    expect(d.target).toEqual(['citizen-developer']);
    expect(d.trace.matched).toEqual([
      { id: 'dev1', idpGroup: 'Dev1', matchedGroup: 'DEV1', roles: ['AAE_Basic'], licenses: ['citizen-developer'] },
    ]);
  });

  it('matches a case-insensitive mapping from an all lower-case group', () => {
    const d = decideFor({ mappings: [mapping('dev1', 'Dev1', ['citizen-developer'], { caseInsensitive: true })], groups: ['dev1'] });
    expect(d.target).toEqual(['citizen-developer']);
  });

  it('does not match a case-sensitive mapping spelled differently', () => {
    const d = decideFor({ mappings: [mapping('dev1', 'Dev1', ['citizen-developer'])], groups: ['DEV1', 'dev1'] });
    expect(d.reason).toBe('NO_MAPPING');
    expect(d.target).toEqual([]);
    expect(d.matchedMappingIds).toEqual([]);
    expect(d.waiting).toBe(false);
  });

  it('ignores disabled mappings', () => {
    const d = decideFor({
      mappings: [mapping('creators', 'Creators', ['bot-creator'], { enabled: false }), DEV1],
      groups: ['Creators', 'Dev1'],
    });
    expect(d.target).toEqual(['citizen-developer', 'process-discovery']);
    expect(d.matchedMappingIds).toEqual(['dev1']);
  });

  it('reports autoProvision when any matched mapping allows it', () => {
    const d = decideFor({ mappings: [DEV1, { ...DEV2, autoProvision: true }], groups: ['Dev1', 'Dev2'] });
    expect(d.autoProvision).toBe(true);
    expect(decideFor({ mappings: [DEV1, { ...DEV2, autoProvision: true }], groups: ['Dev1'] }).autoProvision).toBe(false);
  });

  it('releases mapping-origin licences when no mapping matches', () => {
    const d = decideFor({ mappings: [DEV1], groups: ['Sales'], current: [held('citizen-developer')] });
    expect(d.reason).toBe('NO_MAPPING');
    expect(released(d)).toEqual(['citizen-developer:mapping']);
  });
});

describe('decide: admin rule', () => {
  const admins = mapping('admins', 'Admins', ['bot-creator'], { roles: ['AAE_Admin'] });

  it('gives nothing to an admin when the admin licence is sold out', () => {
    const d = decideFor({ mappings: [admins, DEV1], groups: ['Admins', 'Dev1'], pools: stock({ soldOut: ['bot-insight'] }) });
    expect(d.reason).toBe('BUNDLE_UNAVAILABLE');
    expect(d.target).toEqual([]);
    expect(d.missing).toEqual(['bot-insight']);
    expect(d.waiting).toBe(true);
  });

  it('uses the admin roles and licence named by the policy', () => {
    const d = decideFor({
      mappings: [mapping('ops', 'Ops', ['citizen-developer'], { roles: ['Ops_Admin'] })],
      groups: ['Ops'],
      policy: { adminRoles: ['Ops_Admin'], adminLicense: 'process-discovery' },
    });
    expect(d.reason).toBe('ADMIN_ONLY');
    expect(d.target).toEqual(['process-discovery']);
  });
});

describe('decide: seats already held', () => {
  it('lets a user keep their own seat when the pool is full', () => {
    const d = decideFor({
      mappings: [mapping('dev1', 'Dev1', ['citizen-developer'])],
      groups: ['Dev1'],
      current: [held('citizen-developer')],
      pools: stock({ soldOut: ['citizen-developer'] }),
    });
    expect(d.reason).toBe('UNCHANGED');
    expect(d.target).toEqual(['citizen-developer']);
    expect(d.acquire).toEqual([]);
    expect(d.release).toEqual([]);
    expect(d.trace.bundles[0]?.members[0]).toMatchObject({ capacity: 10, used: 10, heldByUser: true, available: 1 });
  });

  it('says UNCHANGED when the user already holds exactly the target', () => {
    const d = decideFor({ mappings: [DEV1], groups: ['Dev1'], current: [held('process-discovery'), held('citizen-developer')] });
    expect(d.reason).toBe('UNCHANGED');
    expect(d.target).toEqual(['citizen-developer', 'process-discovery']);
    expect(d.acquire).toEqual([]);
    expect(d.release).toEqual([]);
  });

  it('says UNCHANGED rather than ADMIN_ONLY for an admin already holding the admin licence', () => {
    const admins = mapping('admins', 'Admins', [], { roles: ['AAE_Admin'] });
    const d = decideFor({ mappings: [admins], groups: ['Admins'], current: [held('bot-insight')] });
    expect(d.reason).toBe('UNCHANGED');
    expect(d.target).toEqual(['bot-insight']);
  });
});

describe('decide: manual allocations', () => {
  it('preserves a manual licence and still applies the mappings', () => {
    const d = decideFor({ mappings: [DEV1], groups: ['Dev1'], current: [held('bot-insight', 'manual'), held('bot-creator')] });
    expect(d.reason).toBe('MANUAL_PRESERVED');
    expect(d.manualKept).toEqual(['bot-insight']);
    expect(d.target).toEqual(['citizen-developer', 'process-discovery']);
    expect(released(d)).toEqual(['bot-creator:mapping']);
  });

  it('keeps a manual licence even for a user no mapping matches', () => {
    const d = decideFor({ mappings: [DEV1], groups: [], current: [held('bot-insight', 'manual')] });
    expect(d.reason).toBe('MANUAL_PRESERVED');
    expect(d.manualKept).toEqual(['bot-insight']);
    expect(d.release).toEqual([]);
  });

  it('revokes manual licences when the operation says redistributeManual', () => {
    const d = decideFor({
      mappings: [DEV1],
      groups: ['Dev1'],
      current: [held('bot-creator', 'manual')],
      subject: { redistributeManual: true },
    });
    expect(d.reason).toBe('ALLOCATED');
    expect(d.manualKept).toEqual([]);
    expect(released(d)).toEqual(['bot-creator:manual']);
    expect(d.target).toEqual(['citizen-developer', 'process-discovery']);
    expect(d.trace.manual.revoked).toEqual(['bot-creator']);
  });

  it('turns a revoked manual licence that the mappings also give into a mapping row, even when its pool is full', () => {
    const d = decideFor({
      mappings: [mapping('dev1', 'Dev1', ['citizen-developer'])],
      groups: ['Dev1'],
      current: [held('citizen-developer', 'manual')],
      pools: stock({ soldOut: ['citizen-developer'] }),
      subject: { redistributeManual: true },
    });
    expect(d.reason).toBe('ALLOCATED');
    expect(d.target).toEqual(['citizen-developer']);
    expect(d.acquire).toEqual(['citizen-developer']);
    expect(released(d)).toEqual(['citizen-developer:manual']);
  });

  it('suppresses the mapping primary for a user keeping a manual primary', () => {
    const d = decideFor({ mappings: [DEV1], groups: ['Dev1'], current: [held('bot-creator', 'manual')] });
    expect(d.reason).toBe('MANUAL_PRESERVED');
    expect(d.manualKept).toEqual(['bot-creator']);
    expect(d.target).toEqual(['process-discovery']);
    expect(d.trace.rule).toBe('MANUAL_PRIMARY');
    expect(d.trace.manual.suppressedPrimary).toBe('citizen-developer');
  });

  it('lets a manual add-on satisfy its bundle member when that pool is sold out', () => {
    const d = decideFor({
      mappings: [DEV1],
      groups: ['Dev1'],
      current: [held('process-discovery', 'manual')],
      pools: stock({ soldOut: ['process-discovery'] }),
    });
    expect(d.reason).toBe('MANUAL_PRESERVED');
    expect(d.target).toEqual(['citizen-developer']);
    expect(d.missing).toEqual([]);
    expect(d.waiting).toBe(false);
  });

  it('suppresses a primary admin licence for a user keeping another manual primary', () => {
    const admins = mapping('admins', 'Admins', [], { roles: ['AAE_Admin'] });
    const d = decideFor({
      mappings: [admins],
      groups: ['Admins'],
      current: [held('bot-creator', 'manual')],
      policy: { adminLicense: 'citizen-developer' },
    });
    expect(d.target).toEqual([]);
    expect(d.trace.manual.suppressedPrimary).toBe('citizen-developer');
  });
});

describe('decide: deactivation and determinism', () => {
  it('leaves inactive users holding nothing, manual licences included', () => {
    const d = decideFor({
      mappings: [DEV1],
      groups: ['Dev1'],
      current: [held('process-discovery'), held('bot-creator', 'manual')],
      subject: { active: false },
    });
    expect(d.reason).toBe('DEACTIVATED');
    expect(d.target).toEqual([]);
    expect(d.manualKept).toEqual([]);
    expect(d.acquire).toEqual([]);
    expect(released(d)).toEqual(['bot-creator:manual', 'process-discovery:mapping']);
    expect(d.waiting).toBe(false);
  });

  it('gives the same decision and trace whatever the order of groups and mappings', () => {
    const pools = stock();
    const a = decide(context([DEV1, DEV2]), subject(['Dev1', 'Dev2'], [held('bot-creator'), held('bot-insight')]), pools);
    const b = decide(context([DEV2, DEV1]), subject(['Dev2', 'Dev1'], [held('bot-insight'), held('bot-creator')]), pools);
    expect(b).toEqual(a);
  });

  it('produces a trace that survives a JSON round trip unchanged', () => {
    const d = decideFor({ mappings: [DEV1, DEV2], groups: ['Dev1', 'Dev2'], current: [held('bot-creator', 'manual')] });
    expect(JSON.parse(JSON.stringify(d.trace))).toEqual(d.trace);
    expect(Object.keys(d.trace)).toEqual(['matched', 'candidates', 'rule', 'manual', 'bundles', 'outcome']);
  });
});
