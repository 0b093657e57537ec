/**
 * SCIM Groups over HTTP: CRUD, the membership PATCH shapes Entra and Okta send, renames, the
 * `scim` membership rows under displayName and externalId, and the re-decisions they cause.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../src/allocation/invariants.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';
import { holdings, seedLicenses, seedMapping, specLicenses } from '../../helpers/seed.js';
import { groupBody, patchBody, resetScimData, scimClient, userBody, type ScimClient } from '../../helpers/scim.js';

let db: TestDb;
let scim: ScimClient;

beforeAll(async () => {
  db = await createTestDb();
  scim = await scimClient(db, {}, 'okta');
  await seedLicenses(db, specLicenses(10));
  await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer'] });
  await seedMapping(db, { idpGroup: 'Dev2', licenses: ['attended-bot-runner'] });
  await seedMapping(db, { idpGroup: '6f1c2d3e-aaaa-4bbb-8ccc-0123456789ab', licenses: ['bot-creator'] });
});
beforeEach(() => resetScimData(db));
afterEach(async () => {
  expect(await checkInvariants(db.prisma)).toEqual([]);
});
afterAll(() => db.destroy());

async function user(name: string): Promise<string> {
  return ((await scim.post('/Users', userBody(name)).expect(201)).body as { id: string }).id;
}

async function group(name: string, members: string[] = [], extra: Record<string, unknown> = {}): Promise<string> {
  return ((await scim.post('/Groups', groupBody(name, members, extra)).expect(201)).body as { id: string }).id;
}

async function scimMemberships(userId: string): Promise<string[]> {
  const rows = await db.prisma.membership.findMany({ where: { userId, source: 'scim' }, orderBy: { groupName: 'asc' } });
  return rows.map((r) => r.groupName);
}

describe('CRUD', () => {
  it('creates a group with members, who get scim memberships and their allocation', async () => {
    const fiona = await user('fiona@example.com');
    const res = await scim.post('/Groups', groupBody('Dev1', [fiona], { externalId: 'ext-dev1' })).expect(201);
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Dev1',
      externalId: 'ext-dev1',
      members: [{ value: fiona, display: 'fiona@example.com', type: 'User' }],
      meta: { resourceType: 'Group' },
    });
    expect(res.headers['location']).toMatch(/\/scim\/v2\/Groups\/[0-9a-f-]{36}$/);
    expect(await scimMemberships(fiona)).toEqual(['Dev1', 'ext-dev1']);
    expect(await holdings(db, fiona)).toEqual(['citizen-developer']);
    const audit = await db.prisma.auditEvent.findFirst({ where: { userId: fiona, action: 'scim.group.members' } });
    expect(audit).toMatchObject({ actor: 'scim:okta', reason: 'ALLOCATED' });
  });

  it('answers 409 uniqueness to a duplicate displayName and 400 to an unknown member', async () => {
    await group('Dev1');
    expect((await scim.post('/Groups', groupBody('Dev1')).expect(409)).body).toMatchObject({ scimType: 'uniqueness', status: '409' });
    const res = await scim.post('/Groups', groupBody('Dev2', ['2b5e8f36-7f1e-4a7f-9d3c-111111111111'])).expect(400);
    expect(res.body).toMatchObject({ scimType: 'invalidValue' });
    expect(await db.prisma.scimGroup.count()).toBe(1);
  });

  it('lists by displayName eq with excludedAttributes=members, as Entra asks', async () => {
    const fiona = await user('fiona@example.com');
    await group('Dev1', [fiona]);
    await group('Dev2');
    const res = await scim.get(`/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "dev1"')}`).expect(200);
    expect(res.body).toMatchObject({ totalResults: 1, itemsPerPage: 1, startIndex: 1 });
    const r = (res.body as { Resources: Record<string, unknown>[] }).Resources[0]!;
    expect(r['displayName']).toBe('Dev1');
    expect(r['members']).toBeUndefined();
    const all = await scim.get('/Groups?startIndex=1&count=100').expect(200);
    expect(all.body).toMatchObject({ totalResults: 2 });
    const byMember = await scim.get(`/Groups?filter=${encodeURIComponent(`members[value eq "${fiona}"]`)}`).expect(200);
    expect(byMember.body).toMatchObject({ totalResults: 1 });
  });

  it('PUT replaces name, externalId and members; dropped members lose the allocation', async () => {
    const a = await user('a@example.com');
    const b = await user('b@example.com');
    const g = await group('Dev1', [a]);
    expect(await holdings(db, a)).toEqual(['citizen-developer']);
    const res = await scim.put(`/Groups/${g}`, groupBody('Dev2', [b], { id: g })).expect(200);
    expect(res.body).toMatchObject({ displayName: 'Dev2', members: [{ value: b }] });
    expect(await holdings(db, a)).toEqual([]);
    expect(await holdings(db, b)).toEqual(['attended-bot-runner']);
  });

  it('DELETE removes the group and re-decides its members', async () => {
    const a = await user('a@example.com');
    const g = await group('Dev1', [a]);
    await scim.del(`/Groups/${g}`).expect(204);
    await scim.get(`/Groups/${g}`).expect(404);
    expect(await scimMemberships(a)).toEqual([]);
    expect(await holdings(db, a)).toEqual([]);
  });
});

describe('PATCH', () => {
  it('adds and removes members in the Okta and Entra shapes: Fiona in Dev1 and Dev2 gets citizen-developer, out of both holds nothing', async () => {
    const fiona = await user('fiona@example.com');
    const dev1 = await group('Dev1');
    const dev2 = await group('Dev2');
    await scim.patch(`/Groups/${dev1}`, patchBody({ op: 'add', path: 'members', value: [{ value: fiona, display: 'fiona@example.com' }] })).expect(204);
    expect(await holdings(db, fiona)).toEqual(['citizen-developer']);
    await scim.patch(`/Groups/${dev2}`, patchBody({ op: 'Add', path: 'members', value: [{ value: fiona }] })).expect(204);
    expect(await holdings(db, fiona)).toEqual(['citizen-developer']);
    await scim.patch(`/Groups/${dev1}`, patchBody({ op: 'remove', path: `members[value eq "${fiona}"]` })).expect(204);
    expect(await holdings(db, fiona)).toEqual(['attended-bot-runner']);
    await scim.patch(`/Groups/${dev2}`, patchBody({ op: 'Remove', path: 'members', value: [{ value: fiona }] })).expect(204);
    expect(await holdings(db, fiona)).toEqual([]);
  });

  it('replaces the member list', async () => {
    const a = await user('a@example.com');
    const b = await user('b@example.com');
    const g = await group('Dev1', [a]);
    await scim.patch(`/Groups/${g}`, patchBody({ op: 'replace', path: 'members', value: [{ value: b }] })).expect(204);
    expect(await holdings(db, a)).toEqual([]);
    expect(await holdings(db, b)).toEqual(['citizen-developer']);
  });

  it("renames with Okta's no-path {id, displayName} and keeps memberships in step", async () => {
    const a = await user('a@example.com');
    const g = await group('Dev1', [a]);
    await scim.patch(`/Groups/${g}`, patchBody({ op: 'replace', value: { id: g, displayName: 'Dev2' } })).expect(204);
    expect(await scimMemberships(a)).toEqual(['Dev2']);
    expect(await holdings(db, a)).toEqual(['attended-bot-runner']);
    await scim.patch(`/Groups/${g}`, patchBody({ op: 'Replace', path: 'displayName', value: 'Renamed' })).expect(204);
    expect(await holdings(db, a)).toEqual([]);
  });

  it('matches a mapping written with the Entra object id sent as externalId, across renames', async () => {
    const a = await user('a@example.com');
    const g = await group('RPA Creators', [a], { externalId: '6f1c2d3e-aaaa-4bbb-8ccc-0123456789ab' });
    expect(await holdings(db, a)).toEqual(['bot-creator']);
    await scim.patch(`/Groups/${g}`, patchBody({ op: 'Replace', path: 'displayName', value: 'RPA Creators (EU)' })).expect(204);
    expect(await holdings(db, a)).toEqual(['bot-creator']);
    await scim.patch(`/Groups/${g}`, patchBody({ op: 'remove', path: 'externalId' })).expect(204);
    expect(await holdings(db, a)).toEqual([]);
  });

  it('returns the group with 200 when attributes are asked for', async () => {
    const a = await user('a@example.com');
    const g = await group('Dev1');
    const res = await scim.patch(`/Groups/${g}?attributes=members`, patchBody({ op: 'add', path: 'members', value: [{ value: a }] })).expect(200);
    expect(res.body).toMatchObject({ id: g, members: [{ value: a }] });
  });

  it('refuses to change the id, names an unknown member and writes nothing', async () => {
    const a = await user('a@example.com');
    const g = await group('Dev1');
    const other = '2b5e8f36-7f1e-4a7f-9d3c-111111111111';
    expect((await scim.patch(`/Groups/${g}`, patchBody({ op: 'replace', value: { id: other, displayName: 'X' } })).expect(400)).body).toMatchObject({ scimType: 'mutability' });
    const res = await scim.patch(`/Groups/${g}`, patchBody({ op: 'add', path: 'members', value: [{ value: a }, { value: other }] })).expect(400);
    expect((res.body as { detail: string }).detail).toContain(other);
    expect(await db.prisma.scimGroupMember.count()).toBe(0);
    expect((await db.prisma.scimGroup.findUniqueOrThrow({ where: { id: g } })).displayName).toBe('Dev1');
  });
});
