/**
 * SCIM Users over HTTP on the real app: create, read, list with filters and pagination,
 * projection, PUT, PATCH (with the Entra and Okta shapes) and DELETE, each checked against the
 * allocations the engine decides.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../src/allocation/invariants.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';
import { holdings, seedLicenses, seedMapping, specLicenses } from '../../helpers/seed.js';
import { patchBody, resetScimData, scimClient, userBody, type ScimClient } from '../../helpers/scim.js';

let db: TestDb;
let scim: ScimClient;

beforeAll(async () => {
  db = await createTestDb();
  scim = await scimClient(db);
  await seedLicenses(db, specLicenses(5));
  await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer'] });
});
beforeEach(() => resetScimData(db));
afterEach(async () => {
  expect(await checkInvariants(db.prisma)).toEqual([]);
});
afterAll(() => db.destroy());

async function create(userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await scim.post('/Users', userBody(userName, extra)).expect(201);
  return (res.body as { id: string }).id;
}

async function joinDev1(userId: string): Promise<void> {
  const g = await db.prisma.scimGroup.upsert({ where: { displayName: 'Dev1' }, create: { displayName: 'Dev1' }, update: {} });
  const res = await scim.patch(`/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: [{ value: userId }] }));
  expect(res.status).toBe(204);
}

describe('create and read', () => {
  it('creates a user with 201, a Location header and the resource in application/scim+json', async () => {
    const res = await scim
      .post(
        '/Users',
        userBody('Fiona@Example.com', {
          externalId: 'ext-1',
          name: { givenName: 'Fiona', familyName: 'Gallagher' },
          emails: [{ value: 'fiona@example.com', type: 'work', primary: true }],
          displayName: 'Fiona G',
        }),
      )
      .expect(201);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    const body = res.body as Record<string, unknown>;
    expect(res.headers['location']).toBe(`http://localhost:3000/scim/v2/Users/${String(body['id'])}`);
    expect(body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'Fiona@Example.com',
      externalId: 'ext-1',
      name: { givenName: 'Fiona', familyName: 'Gallagher' },
      emails: [{ value: 'fiona@example.com', type: 'work', primary: true }],
      active: true,
      groups: [],
      meta: { resourceType: 'User' },
    });
    const got = await scim.get(`/Users/${String(body['id'])}`).expect(200);
    expect(got.body).toEqual(body);
  });

  it('answers 409 uniqueness to a duplicate userName, whatever its case', async () => {
    await create('fiona@example.com');
    const res = await scim.post('/Users', userBody('FIONA@example.COM')).expect(409);
    expect(res.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
      detail: expect.stringContaining('FIONA@example.COM') as unknown,
    });
    expect(await db.prisma.user.count()).toBe(1);
  });

  it('answers 404 in SCIM form for an unknown or malformed id', async () => {
    for (const id of ['2b5e8f36-7f1e-4a7f-9d3c-111111111111', 'not-a-uuid']) {
      const res = await scim.get(`/Users/${id}`).expect(404);
      expect(res.body).toMatchObject({ status: '404', schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'] });
    }
  });

  it('audits the create as scim:<token name> and decides the user', async () => {
    const id = await create('fiona@example.com');
    const rows = await db.prisma.auditEvent.findMany({ where: { userId: id } });
    expect(rows.map((r) => [r.actor, r.action, r.reason])).toEqual([['scim:entra', 'scim.user.create', 'NO_MAPPING']]);
  });
});

describe('list', () => {
  beforeEach(async () => {
    await create('alice@example.com', { externalId: 'A1', displayName: 'Alice', emails: [{ value: 'alice@work.example', type: 'work' }] });
    await create('bob@example.com', { externalId: 'B1', displayName: 'Bob "the builder"', active: false });
    await create('carol@example.com', { externalId: 'C1' });
  });

  const names = (body: unknown): string[] => (body as { Resources: { userName: string }[] }).Resources.map((r) => r.userName);

  it('filters by userName eq case-insensitively and answers an empty list for no match (Entra probe)', async () => {
    const hit = await scim.get(`/Users?filter=${encodeURIComponent('userName eq "ALICE@example.com"')}`).expect(200);
    expect(hit.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(names(hit.body)).toEqual(['alice@example.com']);
    const miss = await scim.get(`/Users?filter=${encodeURIComponent('userName eq "0f8c1a2e-probe"')}`).expect(200);
    expect(miss.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it.each([
    ['externalId eq "B1"', ['bob@example.com']],
    ['externalId eq "b1"', []],
    ['emails.value eq "ALICE@work.example"', ['alice@example.com']],
    ['emails[type eq "work"].value eq "alice@work.example"', ['alice@example.com']],
    ['emails[type eq "home"].value eq "alice@work.example"', []],
    ['displayName eq "Bob \\"the builder\\""', ['bob@example.com']],
    ['externalId eq "A1" or externalId eq "C1"', ['alice@example.com', 'carol@example.com']],
    ['active eq true and (externalId eq "B1" or externalId eq "C1")', ['carol@example.com']],
    ['displayName pr', ['alice@example.com', 'bob@example.com']],
    ['not (displayName pr)', ['carol@example.com']],
    ['userName sw "b"', ['bob@example.com']],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "carol@example.com"', ['carol@example.com']],
  ])('filter %s', async (filter, expected) => {
    const res = await scim.get(`/Users?filter=${encodeURIComponent(filter)}`).expect(200);
    expect(names(res.body)).toEqual(expected);
  });

  it('answers a long or-chain of externalIds (as a bulk look-up would send) in one flat query', async () => {
    const clauses = Array.from({ length: 80 }, (_, i) => `externalId eq "X${i}"`).concat('externalId eq "C1"');
    const res = await scim.get(`/Users?filter=${encodeURIComponent(clauses.join(' or '))}`).expect(200);
    expect(names(res.body)).toEqual(['carol@example.com']);
  });

  it('pages 1-based with startIndex and count and reports totalResults', async () => {
    const p1 = await scim.get('/Users?startIndex=1&count=2').expect(200);
    expect(p1.body).toMatchObject({ totalResults: 3, startIndex: 1, itemsPerPage: 2 });
    expect(names(p1.body)).toEqual(['alice@example.com', 'bob@example.com']);
    const p2 = await scim.get('/Users?startIndex=3&count=2').expect(200);
    expect(names(p2.body)).toEqual(['carol@example.com']);
    const zero = await scim.get('/Users?count=0').expect(200);
    expect(zero.body).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
    const past = await scim.get('/Users?startIndex=10').expect(200);
    expect(past.body).toMatchObject({ totalResults: 3, itemsPerPage: 0, startIndex: 10 });
  });

  it('clamps startIndex below 1 and negative count as RFC 7644 §3.4.2.4 says', async () => {
    const res = await scim.get('/Users?startIndex=-5&count=-1').expect(200);
    expect(res.body).toMatchObject({ startIndex: 1, itemsPerPage: 0, totalResults: 3 });
  });

  it('honours attributes and excludedAttributes, always keeping id, schemas and meta', async () => {
    const a = await scim.get(`/Users?attributes=userName,name.givenName&filter=${encodeURIComponent('externalId eq "A1"')}`).expect(200);
    const r = (a.body as { Resources: Record<string, unknown>[] }).Resources[0]!;
    expect(Object.keys(r).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
    const e = await scim.get(`/Users?excludedAttributes=emails,groups&filter=${encodeURIComponent('externalId eq "A1"')}`).expect(200);
    const r2 = (e.body as { Resources: Record<string, unknown>[] }).Resources[0]!;
    expect(r2['emails']).toBeUndefined();
    expect(r2['groups']).toBeUndefined();
    expect(r2['userName']).toBe('alice@example.com');
  });
});

describe('replace and patch', () => {
  it('PUT replaces every attribute, dropping those left out', async () => {
    const id = await create('fiona@example.com', { externalId: 'x', displayName: 'F', emails: [{ value: 'f@example.com', type: 'work' }] });
    const res = await scim.put(`/Users/${id}`, userBody('fiona.g@example.com', { id, name: { givenName: 'Fiona' } })).expect(200);
    expect(res.body).toMatchObject({ userName: 'fiona.g@example.com', name: { givenName: 'Fiona' }, active: true });
    expect((res.body as Record<string, unknown>)['externalId']).toBeUndefined();
    expect((res.body as Record<string, unknown>)['emails']).toBeUndefined();
  });

  it('PUT to a userName another user holds is 409 uniqueness and changes nothing', async () => {
    await create('a@example.com');
    const b = await create('b@example.com');
    await scim.put(`/Users/${b}`, userBody('A@example.com')).expect(409);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: b } })).nameId).toBe('b@example.com');
  });

  it('applies Entra PATCH ops: PascalCase, emails[type eq "work"].value, name.givenName, string booleans', async () => {
    const id = await create('fiona@example.com', { emails: [{ value: 'old@example.com', type: 'work', primary: true }] });
    const res = await scim
      .patch(
        `/Users/${id}`,
        patchBody(
          { op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@example.com' },
          { op: 'Replace', path: 'name.givenName', value: 'Fiona' },
          { op: 'Add', path: 'name.familyName', value: 'Gallagher' },
          { op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'RPA' },
          { op: 'Replace', path: 'active', value: 'False' },
        ),
      )
      .expect(200);
    expect(res.body).toMatchObject({ emails: [{ value: 'new@example.com', type: 'work' }], name: { givenName: 'Fiona', familyName: 'Gallagher' }, active: false });
  });

  it('applies no-path value objects (Entra and Okta), including dotted keys', async () => {
    const id = await create('fiona@example.com');
    await scim.patch(`/Users/${id}`, patchBody({ op: 'replace', value: { displayName: 'Fiona', 'name.familyName': 'G', externalId: 'e-9' } })).expect(200);
    const u = await db.prisma.user.findUniqueOrThrow({ where: { id } });
    expect([u.displayName, u.lastName, u.externalId]).toEqual(['Fiona', 'G', 'e-9']);
  });

  it('a replace of name with some sub-attributes leaves the others unchanged (RFC 7644 §3.5.2.3)', async () => {
    const id = await create('fiona@example.com', { name: { givenName: 'Fiona', familyName: 'Gallagher' } });
    const res = await scim.patch(`/Users/${id}`, patchBody({ op: 'replace', path: 'name', value: { givenName: 'Fi' } })).expect(200);
    expect(res.body).toMatchObject({ name: { givenName: 'Fi', familyName: 'Gallagher' } });
  });

  it('removes an email by filter and the attribute by path', async () => {
    const id = await create('fiona@example.com', { emails: [{ value: 'f@example.com', type: 'work' }], displayName: 'F' });
    const res = await scim
      .patch(`/Users/${id}`, patchBody({ op: 'remove', path: 'emails[type eq "work"]' }, { op: 'Remove', path: 'displayName' }))
      .expect(200);
    expect(res.body).not.toHaveProperty('emails');
    expect(res.body).not.toHaveProperty('displayName');
  });

  it('deactivation by PATCH releases the seats in the same transaction; reactivation recomputes', async () => {
    const id = await create('fiona@example.com');
    await joinDev1(id);
    expect(await holdings(db, id)).toEqual(['citizen-developer']);
    await scim.patch(`/Users/${id}`, patchBody({ op: 'replace', value: { active: false } })).expect(200);
    expect(await holdings(db, id)).toEqual([]);
    const audit = await db.prisma.auditEvent.findFirst({ where: { userId: id, action: 'scim.user.patch' }, orderBy: { id: 'desc' } });
    expect(audit).toMatchObject({ actor: 'scim:entra', reason: 'DEACTIVATED', after: [] });
    await scim.patch(`/Users/${id}`, patchBody({ op: 'Replace', path: 'active', value: 'True' })).expect(200);
    expect(await holdings(db, id)).toEqual(['citizen-developer']);
  });

  it('DELETE releases the seats, removes the user and answers 404 afterwards', async () => {
    const id = await create('fiona@example.com');
    await joinDev1(id);
    expect(await holdings(db, id)).toEqual(['citizen-developer']);
    await scim.del(`/Users/${id}`).expect(204);
    await scim.get(`/Users/${id}`).expect(404);
    expect(await db.prisma.license.findUniqueOrThrow({ where: { key: 'citizen-developer' } })).toMatchObject({ used: 0 });
    expect(await db.prisma.auditEvent.count({ where: { userId: id, action: 'scim.user.delete', reason: 'DEACTIVATED' } })).toBe(1);
    await scim.del(`/Users/${id}`).expect(404);
  });
});

describe('concurrency', () => {
  it('of concurrent creates of one userName exactly one wins, the others get 409, never a 5xx', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => scim.post('/Users', userBody(i % 2 ? 'race@example.com' : 'RACE@example.com'))));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(await db.prisma.user.count()).toBe(1);
  });

  it('concurrent PATCHes adding different members to one group all land', async () => {
    const ids = await Promise.all(['a', 'b', 'c', 'd'].map((n) => create(`${n}@example.com`)));
    const g = await db.prisma.scimGroup.create({ data: { displayName: 'Dev1' } });
    const results = await Promise.all(ids.map((id) => scim.patch(`/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: [{ value: id }] }))));
    expect(results.map((r) => r.status)).toEqual([204, 204, 204, 204]);
    expect(await db.prisma.scimGroupMember.count({ where: { groupId: g.id } })).toBe(4);
    for (const id of ids) expect(await holdings(db, id)).toEqual(['citizen-developer']);
  });
});
