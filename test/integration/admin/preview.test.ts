import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedLicenses, seedMapping, seedUser, specLicenses } from '../../helpers/seed.js';
import { adminHarness, type Harness } from './harness.js';

let h: Harness;
let fiona: string;
beforeAll(async () => {
  h = await adminHarness();
  await seedLicenses(h.db, specLicenses(5));
  fiona = await seedUser(h.db, 'fiona', ['Dev1', 'Dev2'], { createdAt: new Date('2024-01-01') });
});
afterAll(async () => h.close());

const mapping = (idpGroup: string, licenses: string[], roles = ['AAE_Basic']) => ({ idpGroup, licenses, roles });
const dev1 = mapping('Dev1', ['citizen-developer', 'process-discovery']);
const dev2 = mapping('Dev2', ['attended-bot-runner', 'bot-insight']);

async function preview(body: object) {
  const r = await h.send('post', '/api/v1/mappings/preview', body).expect(200);
  return r.body as {
    users: { nameId: string; reason: string; before: { key: string }[]; after: { key: string; origin: string }[]; missing: string[] }[];
    licenses: { key: string; capacity: number; usedBefore: number; usedAfter: number }[];
    noLicense: { nameId: string; reason: string }[];
    summary: Record<string, number>;
  };
}
const keysOf = (p: Awaited<ReturnType<typeof preview>>, nameId: string) => p.users.find((u) => u.nameId === nameId)?.after.map((a) => a.key);

describe('preview of the SPEC §2 worked cases (nothing written)', () => {
  let writes: () => Promise<number[]>;
  beforeEach(() => {
    writes = async () => [await h.db.prisma.allocation.count(), await h.db.prisma.auditEvent.count(), await h.db.prisma.groupMapping.count()];
  });

  it('Fiona in Dev1 (citizen-developer) and Dev2 (attended-bot-runner) gets citizen-developer', async () => {
    const before = await writes();
    const p = await preview({ mappings: [mapping('Dev1', ['citizen-developer']), mapping('Dev2', ['attended-bot-runner'])] });
    expect(p.users).toEqual([{ id: fiona, nameId: 'fiona', reason: 'ALLOCATED', before: [], after: [{ key: 'citizen-developer', origin: 'mapping' }], missing: [] }]);
    expect(p.licenses.find((l) => l.key === 'citizen-developer')).toMatchObject({ key: 'citizen-developer', capacity: 5, usedBefore: 0, usedAfter: 1 });
    expect(p.summary).toMatchObject({ users: 1, changed: 1, noLicense: 0 });
    expect(await writes()).toEqual(before);
  });

  it('bundles: all available gives citizen-developer + process-discovery + bot-insight', async () => {
    const p = await preview({ mappings: [dev1, dev2] });
    expect(keysOf(p, 'fiona')).toEqual(['bot-insight', 'citizen-developer', 'process-discovery']);
  });

  it('bundles: attended-bot-runner sold out gives the same result', async () => {
    const p = await preview({ mappings: [dev1, dev2], capacity: { 'attended-bot-runner': 0 } });
    expect(keysOf(p, 'fiona')).toEqual(['bot-insight', 'citizen-developer', 'process-discovery']);
  });

  it.each(['citizen-developer', 'process-discovery', 'bot-insight'])('bundles: %s sold out gives no license at all, listed as such', async (key) => {
    const p = await preview({ mappings: [dev1, dev2], capacity: { [key]: 0 } });
    expect(p.users).toEqual([]);
    expect(p.noLicense).toEqual([{ id: fiona, nameId: 'fiona', reason: 'BUNDLE_UNAVAILABLE' }]);
    expect(p.licenses.find((l) => l.key === key)).toMatchObject({ capacity: 0, usedAfter: 0 });
  });

  it('a bot-creator mapping with bot-creator sold out gives no license (no fallback)', async () => {
    const p = await preview({ mappings: [mapping('Dev1', ['bot-creator']), mapping('Dev2', ['citizen-developer'])], capacity: { 'bot-creator': 0 } });
    expect(p.noLicense).toEqual([{ id: fiona, nameId: 'fiona', reason: 'BUNDLE_UNAVAILABLE' }]);
  });

  it('with a proposed fallbackToNextPreference policy the next primary is granted', async () => {
    const policy = { fallbackToNextPreference: true };
    const p = await preview({ mappings: [mapping('Dev1', ['bot-creator']), mapping('Dev2', ['citizen-developer'])], capacity: { 'bot-creator': 0 }, policy });
    expect(keysOf(p, 'fiona')).toEqual(['citizen-developer']);
  });

  it('an AAE_Admin mapping plus other mappings gives bot-insight only', async () => {
    const p = await preview({ mappings: [mapping('Dev1', ['citizen-developer', 'process-discovery'], ['AAE_Admin']), dev2] });
    expect(p.users[0]).toMatchObject({ reason: 'ADMIN_ONLY', after: [{ key: 'bot-insight', origin: 'mapping' }] });
    expect(p.summary).toMatchObject({ adminsBefore: 0, adminsAfter: 1 });
  });

  it('a proposed preference order changes the winner', async () => {
    const p = await preview({ mappings: [mapping('Dev1', ['citizen-developer']), mapping('Dev2', ['attended-bot-runner'])], preferenceOrder: ['attended-bot-runner', 'citizen-developer'] });
    expect(keysOf(p, 'fiona')).toEqual(['attended-bot-runner']);
  });
});

describe('preview of single changes against current data', () => {
  let creators: string;
  let gus: string;
  beforeAll(async () => {
    creators = await seedMapping(h.db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
    gus = await seedUser(h.db, 'gus', ['Creators'], { createdAt: new Date('2024-02-01') });
    await h.deps.allocation.decideUser(gus, { actor: 'test', action: 'test' });
  });

  it('an existing bot-creator holder now mapped only to citizen-developer: bot-creator released, citizen-developer allocated', async () => {
    const p = await preview({ change: { op: 'update', id: creators, patch: { licenses: ['citizen-developer'] } } });
    const g = p.users.find((u) => u.nameId === 'gus');
    expect(g).toMatchObject({ before: [{ key: 'bot-creator', origin: 'mapping' }], after: [{ key: 'citizen-developer', origin: 'mapping' }] });
    expect(p.licenses.find((l) => l.key === 'bot-creator')).toMatchObject({ usedBefore: 1, usedAfter: 0 });
    expect(await h.db.prisma.allocation.findMany({ where: { userId: gus } })).toMatchObject([{ licenseKey: 'bot-creator' }]);
  });

  it('a single create shows who gains', async () => {
    const p = await preview({ change: { op: 'create', mapping: { idpGroup: 'Dev1', licenses: ['citizen-developer'] } } });
    expect(p.users.map((u) => u.nameId)).toEqual(['fiona']);
  });

  it('a single delete shows who loses and ends with no license', async () => {
    const p = await preview({ change: { op: 'delete', id: creators } });
    expect(p.users).toMatchObject([{ nameId: 'gus', reason: 'NO_MAPPING', after: [] }]);
    expect(p.noLicense.map((u) => u.nameId).sort()).toEqual(['fiona', 'gus']);
  });

  it('a capacity cut keeps the seat of the earliest holder', async () => {
    const hal = await seedUser(h.db, 'hal', ['Creators'], { createdAt: new Date('2024-03-01') });
    await h.deps.allocation.decideUser(hal, { actor: 'test', action: 'test' });
    const p = await preview({ capacity: { 'bot-creator': 1 } });
    expect(p.users).toMatchObject([{ nameId: 'hal', reason: 'BUNDLE_UNAVAILABLE', after: [] }]);
    expect(p.licenses.find((l) => l.key === 'bot-creator')).toMatchObject({ key: 'bot-creator', capacity: 1, usedBefore: 2, usedAfter: 1, released: 1 });
  });

  it('answers 404 for a change naming an unknown mapping', async () => {
    await h.send('post', '/api/v1/mappings/preview', { change: { op: 'delete', id: '00000000-0000-4000-8000-000000000000' } }).expect(404);
  });

  it.each([
    ['both mappings and change', { mappings: [], change: { op: 'delete', id: '00000000-0000-4000-8000-000000000000' } }, 'change: give either'],
    ['an unknown op', { change: { op: 'rename' } }, 'change.op'],
    ['an unknown capacity key', { capacity: { nope: 1 } }, 'capacity: unknown license nope'],
    ['a negative capacity', { capacity: { 'bot-creator': -1 } }, 'capacity.bot-creator'],
    ['an invalid proposed mapping', { mappings: [{ idpGroup: 'A', licenses: ['bot-creator', 'citizen-developer'] }] }, 'mappings.0.licenses: at most one primary'],
    ['an unknown preference key', { preferenceOrder: ['nope'] }, 'preferenceOrder: unknown license nope'],
  ])('refuses %s with 400', async (_what, body, message) => {
    const r = await h.send('post', '/api/v1/mappings/preview', body).expect(400);
    expect(r.body.error.message).toContain(message);
  });
});
