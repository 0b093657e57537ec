/**
 * Hostile and broken SCIM input: every case answers a 4xx in the SCIM error schema (never a 5xx)
 * and writes nothing. Table-driven, named after what is wrong.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../../src/auth/tokens.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';
import { seedLicenses, seedMapping, specLicenses } from '../../helpers/seed.js';
import { groupBody, patchBody, scimClient, SCIM_JSON, userBody, type ScimClient } from '../../helpers/scim.js';

let db: TestDb;
let scim: ScimClient;
let userId: string;
let groupId: string;

beforeAll(async () => {
  db = await createTestDb();
  scim = await scimClient(db, { maxBodyBytes: 4096 });
  await seedLicenses(db, specLicenses(5));
  await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer'] });
  userId = ((await scim.post('/Users', userBody('fiona@example.com')).expect(201)).body as { id: string }).id;
  groupId = ((await scim.post('/Groups', groupBody('Dev1', [userId])).expect(201)).body as { id: string }).id;
});
afterAll(() => db.destroy());

async function snapshot(): Promise<unknown> {
  const p = db.prisma;
  const [users, groups, members, memberships, allocations, audit, jobs] = await Promise.all([
    p.user.findMany({ orderBy: { id: 'asc' }, omit: { updatedAt: true, lastDecidedAt: true } }),
    p.scimGroup.findMany({ orderBy: { id: 'asc' } }),
    p.scimGroupMember.count(),
    p.membership.count(),
    p.allocation.findMany({ orderBy: [{ userId: 'asc' }, { licenseKey: 'asc' }] }),
    p.auditEvent.count(),
    p.job.count(),
  ]);
  return { users, groups, members, memberships, allocations, audit, jobs, polluted: ({} as Record<string, unknown>)['polluted'] };
}

interface Case {
  name: string;
  send: () => request.Test;
  status: number;
  scimType?: string;
}

const raw = (method: 'post' | 'put' | 'patch', path: string, body: string, type = SCIM_JSON) => (): request.Test =>
  request(scim.app)[method](`/scim/v2${path}`).set('Authorization', `Bearer ${scim.token}`).set('Content-Type', type).send(body);
const filter = (f: string) => (): request.Test => scim.get(`/Users?filter=${encodeURIComponent(f)}`);
const patchUser = (...ops: unknown[]) => (): request.Test => scim.patch(`/Users/${userId}`, patchBody(...ops));

const cases = (): Case[] => [
  // Malformed bodies
  { name: 'malformed JSON', send: raw('post', '/Users', '{"userName": '), status: 400, scimType: 'invalidSyntax' },
  { name: 'a JSON array as body', send: raw('post', '/Users', '[]'), status: 400, scimType: 'invalidSyntax' },
  { name: 'a JSON string as body', send: raw('post', '/Users', '"fiona"'), status: 400, scimType: 'invalidSyntax' },
  { name: 'an empty body', send: raw('post', '/Users', ''), status: 400, scimType: 'invalidSyntax' },
  { name: 'wrong content type text/plain', send: raw('post', '/Users', JSON.stringify(userBody('x@example.com')), 'text/plain'), status: 415 },
  { name: 'wrong content type form', send: raw('post', '/Users', 'userName=x', 'application/x-www-form-urlencoded'), status: 415 },
  { name: 'wrong content type xml', send: raw('patch', `/Users/${userId}`, '<x/>', 'application/xml'), status: 415 },
  { name: 'oversize body', send: raw('post', '/Users', JSON.stringify(userBody('x@example.com', { displayName: 'x'.repeat(5000) }))), status: 413 },
  // Unknown attributes and schemas
  { name: 'unknown attribute', send: () => scim.post('/Users', userBody('x@example.com', { favouriteColour: 'blue' })), status: 400, scimType: 'invalidValue' },
  { name: 'unknown sub-attribute', send: () => scim.post('/Users', userBody('x@example.com', { name: { nickname2: 'x' } })), status: 400, scimType: 'invalidValue' },
  { name: 'unknown schema URN', send: () => scim.post('/Users', { ...userBody('x@example.com'), schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:evil:1.0'] }), status: 400, scimType: 'invalidValue' },
  { name: 'schemas without the User schema', send: () => scim.post('/Users', { ...userBody('x@example.com'), schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'] }), status: 400, scimType: 'invalidValue' },
  { name: 'unknown group attribute', send: () => scim.post('/Groups', groupBody('G2', [], { owner: 'me' })), status: 400, scimType: 'invalidValue' },
  // Prototype pollution
  { name: '__proto__ key in a body', send: raw('post', '/Users', '{"userName":"x@example.com","__proto__":{"polluted":true}}'), status: 400, scimType: 'invalidValue' },
  { name: 'constructor.prototype nested in a body', send: raw('post', '/Users', '{"userName":"x@example.com","name":{"constructor":{"prototype":{"polluted":true}}}}'), status: 400, scimType: 'invalidValue' },
  { name: '__proto__ in a PATCH value', send: raw('patch', `/Users/${userId}`, JSON.stringify({ Operations: [{ op: 'replace', value: JSON.parse('{"__proto__":{"polluted":true}}') as unknown }] })), status: 400, scimType: 'invalidValue' },
  { name: '__proto__ as a PATCH path', send: patchUser({ op: 'add', path: '__proto__.polluted', value: true }), status: 400, scimType: 'invalidPath' },
  { name: 'constructor in a PATCH path filter', send: patchUser({ op: 'replace', path: 'emails[constructor eq "x"].value', value: 'a' }), status: 400, scimType: 'invalidPath' },
  { name: '__proto__ in a filter', send: filter('__proto__ eq "x"'), status: 400, scimType: 'invalidFilter' },
  { name: 'constructor.prototype in a filter', send: filter('constructor.prototype pr'), status: 400, scimType: 'invalidFilter' },
  { name: '__proto__ in attributes', send: () => scim.get('/Users?attributes=__proto__'), status: 400, scimType: 'invalidValue' },
  { name: 'constructor in excludedAttributes', send: () => scim.get('/Users?excludedAttributes=name.constructor'), status: 400, scimType: 'invalidValue' },
  // Immutable id and meta
  { name: 'id on create', send: () => scim.post('/Users', userBody('x@example.com', { id: userId })), status: 400, scimType: 'mutability' },
  { name: 'meta.created on create', send: () => scim.post('/Users', userBody('x@example.com', { meta: { created: '2020-01-01T00:00:00Z' } })), status: 400, scimType: 'mutability' },
  { name: 'another id on PUT', send: () => scim.put(`/Users/${userId}`, userBody('fiona@example.com', { id: '2b5e8f36-7f1e-4a7f-9d3c-111111111111' })), status: 400, scimType: 'mutability' },
  { name: 'another id on group PUT', send: () => scim.put(`/Groups/${groupId}`, groupBody('Dev1', [], { id: userId })), status: 400, scimType: 'mutability' },
  { name: 'PATCH of id', send: patchUser({ op: 'replace', path: 'id', value: '2b5e8f36-7f1e-4a7f-9d3c-111111111111' }), status: 400, scimType: 'mutability' },
  { name: 'PATCH of meta.created', send: patchUser({ op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }), status: 400, scimType: 'mutability' },
  { name: 'no-path PATCH carrying id', send: patchUser({ op: 'replace', value: { id: 'x', active: false } }), status: 400, scimType: 'mutability' },
  { name: 'PATCH of the read-only groups', send: patchUser({ op: 'add', path: 'groups', value: [{ value: groupId }] }), status: 400, scimType: 'mutability' },
  { name: 'group PATCH of meta', send: () => scim.patch(`/Groups/${groupId}`, patchBody({ op: 'replace', path: 'meta.lastModified', value: 'x' })), status: 400, scimType: 'mutability' },
  // Broken PATCH requests
  { name: 'PATCH op move', send: patchUser({ op: 'move', path: 'active', value: false }), status: 400, scimType: 'invalidSyntax' },
  { name: 'PATCH without Operations', send: () => scim.patch(`/Users/${userId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'] }), status: 400, scimType: 'invalidSyntax' },
  { name: 'PATCH with empty Operations', send: patchUser(), status: 400, scimType: 'invalidSyntax' },
  { name: 'PATCH remove without path', send: patchUser({ op: 'remove', value: { active: false } }), status: 400, scimType: 'noTarget' },
  { name: 'PATCH of an unknown attribute', send: patchUser({ op: 'replace', path: 'favouriteColour', value: 'x' }), status: 400, scimType: 'invalidPath' },
  { name: 'PATCH path with a broken filter', send: patchUser({ op: 'replace', path: 'emails[type eq].value', value: 'x' }), status: 400, scimType: 'invalidPath' },
  { name: 'PATCH active to a non-boolean', send: patchUser({ op: 'replace', path: 'active', value: 'maybe' }), status: 400, scimType: 'invalidValue' },
  { name: 'PATCH removing userName', send: patchUser({ op: 'remove', path: 'userName' }), status: 400, scimType: 'invalidValue' },
  { name: 'PATCH userName to a number', send: patchUser({ op: 'replace', path: 'userName', value: 42 }), status: 400, scimType: 'invalidValue' },
  { name: 'PATCH with a second valid op after a bad one', send: patchUser({ op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'nope', value: 1 }), status: 400, scimType: 'invalidPath' },
  { name: 'group PATCH removing displayName', send: () => scim.patch(`/Groups/${groupId}`, patchBody({ op: 'remove', path: 'displayName' })), status: 400, scimType: 'mutability' },
  { name: 'group PATCH with a non-uuid member', send: () => scim.patch(`/Groups/${groupId}`, patchBody({ op: 'add', path: 'members', value: [{ value: "1' OR 1=1" }] })), status: 400, scimType: 'invalidValue' },
  { name: 'PUT with an empty userName', send: () => scim.put(`/Users/${userId}`, userBody('')), status: 400, scimType: 'invalidValue' },
  { name: 'POST with a 300-character userName', send: () => scim.post('/Users', userBody('x'.repeat(300))), status: 400, scimType: 'invalidValue' },
  { name: 'duplicate userName in another case', send: () => scim.post('/Users', userBody('FIONA@EXAMPLE.COM')), status: 409, scimType: 'uniqueness' },
  // Bad filters
  ...[
    'userName eq',
    'userName xx "a"',
    '(userName eq "a"',
    'userName eq "unterminated',
    'userName eq "a" and',
    'password eq "x"',
    'userName eq "bad \\q escape"',
    'id gt "x"',
    'active eq "yes"',
    'meta.created gt "not a date"',
    'emails[type eq "work"',
    'userName eq "a" garbage',
    `${'('.repeat(100)}userName eq "a"${')'.repeat(100)}`,
    'urn:evil:attr eq "x"',
  ].map((f): Case => ({ name: `filter ${f.slice(0, 40)}`, send: filter(f), status: 400, scimType: 'invalidFilter' })),
  { name: 'filter given twice', send: () => scim.get('/Users?filter=userName%20eq%20%22a%22&filter=userName%20eq%20%22b%22'), status: 400, scimType: 'invalidValue' },
  { name: 'group filter on an unfilterable attribute', send: () => scim.get(`/Groups?filter=${encodeURIComponent('members.display eq "x"')}`), status: 400, scimType: 'invalidFilter' },
  // Absurd paging
  ...['count=abc', 'count=1e9', 'count=99999999999', 'startIndex=1.5', 'startIndex=NaN', 'count=2147483648', 'startIndex=-99999999999', 'count=0x10'].map(
    (q): Case => ({ name: `paging ${q}`, send: () => scim.get(`/Users?${q}`), status: 400, scimType: 'invalidValue' }),
  ),
  // Authentication
  { name: 'missing bearer token', send: () => request(scim.app).get('/scim/v2/Users'), status: 401 },
  { name: 'unknown bearer token', send: () => request(scim.app).get('/scim/v2/Users').set('Authorization', 'Bearer allot_nope'), status: 401 },
  { name: 'Basic credentials', send: () => request(scim.app).post('/scim/v2/Users').set('Authorization', 'Basic Zm9vOmJhcg==').send(userBody('x@example.com')), status: 401 },
  // Routing
  { name: 'unknown endpoint', send: () => scim.get('/Bulk'), status: 404 },
  { name: 'POST to a user id', send: () => scim.post(`/Users/${userId}`, userBody('x@example.com')), status: 404 },
  { name: 'PATCH of an unknown group', send: () => scim.patch('/Groups/2b5e8f36-7f1e-4a7f-9d3c-111111111111', patchBody({ op: 'add', path: 'members', value: [] })), status: 404 },
];

describe('hostile input', () => {
  it.each(cases().map((c) => [c.name, c] as const))('%s → 4xx SCIM error, nothing written', async (_name, c) => {
    const before = await snapshot();
    const res = await c.send();
    expect(res.status).toBe(c.status);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(c.status) });
    if (c.scimType) expect((res.body as { scimType?: string }).scimType).toBe(c.scimType);
    else expect((res.body as { scimType?: string }).scimType).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+|prisma|stack/i);
    expect(await snapshot()).toEqual(before);
  });

  it('answers 403 in SCIM form to a token of another scope', async () => {
    const { token } = await createToken(db, 'admin-token', 'admin');
    const res = await request(scim.app).get('/scim/v2/Users').set('Authorization', `Bearer ${token}`).expect(403);
    expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '403' });
  });

  it('sets WWW-Authenticate on a 401', async () => {
    const res = await request(scim.app).get('/scim/v2/Users').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('clamps an over-large count to maxResults rather than failing (RFC 7644 §3.4.2.4)', async () => {
    const res = await scim.get('/Users?count=2000000000&startIndex=2000000000').expect(200);
    expect(res.body).toMatchObject({ totalResults: 1, itemsPerPage: 0, startIndex: 2000000000 });
  });
});
