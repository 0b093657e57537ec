import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedLicenses, seedUser, specLicenses } from '../../helpers/seed.js';
import { adminHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await adminHarness();
  await seedLicenses(h.db, specLicenses(5));
});
afterAll(async () => h.close());

const dev1 = { idpGroup: 'Dev1', description: 'Developers', roles: ['AAE_Basic'], licenses: ['citizen-developer', 'process-discovery'], autoProvision: true, enabled: true, caseInsensitive: false };

describe('mappings CRUD', () => {
  let id: string;

  it('creates a mapping and answers it with its id and the users affected', async () => {
    await seedUser(h.db, 'fiona', ['Dev1']);
    const r = await h.send('post', '/api/v1/mappings', dev1).expect(201);
    expect(r.body).toMatchObject({ ...dev1, affectedUsers: 1 });
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);
    id = r.body.id;
  });

  it('fills defaults for omitted fields', async () => {
    const r = await h.send('post', '/api/v1/mappings', { idpGroup: 'Plain' }).expect(201);
    expect(r.body).toMatchObject({ description: '', roles: [], licenses: [], autoProvision: false, enabled: true, caseInsensitive: false });
    await h.send('delete', `/api/v1/mappings/${r.body.id}`).expect(200);
  });

  it('lists and gets mappings', async () => {
    expect((await h.get('/api/v1/mappings').expect(200)).body.map((m: { idpGroup: string }) => m.idpGroup)).toEqual(['Dev1']);
    expect((await h.get(`/api/v1/mappings/${id}`).expect(200)).body).toMatchObject(dev1);
  });

  it('patches some fields', async () => {
    const r = await h.send('patch', `/api/v1/mappings/${id}`, { description: 'Citizen developers', enabled: false }).expect(200);
    expect(r.body).toMatchObject({ description: 'Citizen developers', enabled: false, licenses: dev1.licenses, affectedUsers: 1 });
  });

  it('refuses a second mapping for the same idpGroup with 409', async () => {
    const r = await h.send('post', '/api/v1/mappings', dev1).expect(409);
    expect(r.body.error.message).toContain('Dev1 already exists');
  });

  it.each([
    ['an unknown license', { idpGroup: 'X', licenses: ['nope'] }, 'licenses.0: unknown license nope'],
    ['two primaries', { idpGroup: 'X', licenses: ['bot-creator', 'citizen-developer'] }, 'licenses: at most one primary'],
    ['a license twice', { idpGroup: 'X', licenses: ['bot-insight', 'bot-insight'] }, 'licenses.1: bot-insight appears twice'],
    ['an empty idpGroup', { idpGroup: '' }, 'idpGroup:'],
    ['a missing idpGroup', { roles: ['A'] }, 'idpGroup:'],
    ['roles that are not a list', { idpGroup: 'X', roles: 'AAE_Basic' }, 'roles:'],
    ['a non-boolean flag', { idpGroup: 'X', enabled: 'false' }, 'enabled:'],
    ['an unknown field', { idpGroup: 'X', group: 'Y' }, 'body:'],
  ])('refuses %s with 400 naming the field and writes nothing', async (_what, body, message) => {
    const r = await h.send('post', '/api/v1/mappings', body).expect(400);
    expect(r.body.error.message).toContain(message);
    expect(await h.db.prisma.groupMapping.count({ where: { idpGroup: 'X' } })).toBe(0);
  });

  it('answers 404 for unknown and malformed ids', async () => {
    await h.get('/api/v1/mappings/00000000-0000-4000-8000-000000000000').expect(404);
    await h.get('/api/v1/mappings/not-a-uuid').expect(404);
    await h.send('patch', '/api/v1/mappings/00000000-0000-4000-8000-000000000000', { enabled: true }).expect(404);
    await h.send('delete', '/api/v1/mappings/00000000-0000-4000-8000-000000000000').expect(404);
  });

  it('deletes a mapping, audited', async () => {
    const r = await h.send('delete', `/api/v1/mappings/${id}`).expect(200);
    expect(r.body).toEqual({ id, affectedUsers: 0 });
    await h.get(`/api/v1/mappings/${id}`).expect(404);
    const actions = (await h.db.prisma.auditEvent.findMany({ where: { subject: id }, orderBy: { id: 'asc' } })).map((a) => a.action);
    expect(actions).toEqual(['mapping.create', 'mapping.update', 'mapping.delete']);
  });
});

describe('affected users of a mapping change', () => {
  it('counts members matched case-insensitively and through SCIM groups (by displayName or object id), and nobody else', async () => {
    await seedUser(h.db, 'kim', ['SALES']);
    const lee = await seedUser(h.db, 'lee', []);
    const moe = await seedUser(h.db, 'moe', []);
    await seedUser(h.db, 'ned', ['Marketing']);
    const group = await h.db.prisma.scimGroup.create({ data: { displayName: 'Sales', externalId: 'obj-4711' } });
    await h.db.prisma.scimGroupMember.createMany({ data: [{ groupId: group.id, userId: lee }] });
    const other = await h.db.prisma.scimGroup.create({ data: { displayName: 'Other', externalId: 'OBJ-42' } });
    await h.db.prisma.scimGroupMember.createMany({ data: [{ groupId: other.id, userId: moe }] });
    const sales = await h.send('post', '/api/v1/mappings', { idpGroup: 'sales', caseInsensitive: true, licenses: ['bot-creator'] }).expect(201);
    expect(sales.body.affectedUsers).toBe(2);
    const byObjectId = await h.send('post', '/api/v1/mappings', { idpGroup: 'obj-42', caseInsensitive: true, licenses: ['bot-creator'] }).expect(201);
    expect(byObjectId.body.affectedUsers).toBe(1);
    const exact = await h.send('post', '/api/v1/mappings', { idpGroup: 'marketing', licenses: ['bot-creator'] }).expect(201);
    expect(exact.body.affectedUsers).toBe(0);
    for (const id of [sales.body.id, byObjectId.body.id, exact.body.id]) await h.send('delete', `/api/v1/mappings/${id}`).expect(200);
  });
});

describe('admin lock-out guard on mappings', () => {
  let adminMapping: string;
  beforeAll(async () => {
    adminMapping = (await h.send('post', '/api/v1/mappings', { idpGroup: 'Admins', roles: ['AAE_Admin'] }).expect(201)).body.id;
    await seedUser(h.db, 'root', ['Admins']);
  });

  it('refuses deleting the only admin mapping with 409 ADMIN_LOCKOUT', async () => {
    const r = await h.send('delete', `/api/v1/mappings/${adminMapping}`).expect(409);
    expect(r.body.error.code).toBe('ADMIN_LOCKOUT');
    await h.get(`/api/v1/mappings/${adminMapping}`).expect(200);
  });

  it('refuses disabling it or dropping the admin role unless confirmed', async () => {
    expect((await h.send('patch', `/api/v1/mappings/${adminMapping}`, { enabled: false }).expect(409)).body.error.code).toBe('ADMIN_LOCKOUT');
    expect((await h.send('patch', `/api/v1/mappings/${adminMapping}`, { roles: ['AAE_Basic'] }).expect(409)).body.error.code).toBe('ADMIN_LOCKOUT');
    await h.send('patch', `/api/v1/mappings/${adminMapping}`, { description: 'still admin' }).expect(200);
  });

  it('refuses deactivating the last admin user unless confirmed', async () => {
    expect((await h.send('post', '/api/v1/users/root/deactivate', {}).expect(409)).body.error.code).toBe('ADMIN_LOCKOUT');
    expect((await h.get('/api/v1/users/root')).body.active).toBe(true);
  });

  it('refuses an import that drops every admin mapping unless confirmed', async () => {
    const r = await h.send('post', '/api/v1/mappings/import', { mappings: [dev1] }).expect(409);
    expect(r.body.error.code).toBe('ADMIN_LOCKOUT');
  });

  it('of two concurrent deletions of the last two admin mappings, exactly one passes', async () => {
    const second = (await h.send('post', '/api/v1/mappings', { idpGroup: 'Admins2', roles: ['AAE_Admin'] }).expect(201)).body.id;
    await seedUser(h.db, 'root2', ['Admins2']);
    const results = await Promise.all([h.send('delete', `/api/v1/mappings/${adminMapping}`), h.send('delete', `/api/v1/mappings/${second}`)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const left = results[0]!.status === 200 ? second : adminMapping;
    adminMapping = left;
    await h.get(`/api/v1/mappings/${left}`).expect(200);
  });

  it('accepts the deletion with ?confirm=true', async () => {
    await h.send('delete', `/api/v1/mappings/${adminMapping}?confirm=true`).expect(200);
  });
});

describe('import and export', () => {
  const set = [
    dev1,
    { idpGroup: 'Dev2', description: '', roles: ['AAE_Basic'], licenses: ['attended-bot-runner', 'bot-insight'], autoProvision: false, enabled: true, caseInsensitive: true },
  ];

  it('reports a dry run without writing', async () => {
    const before = await h.db.prisma.groupMapping.count();
    const r = await h.send('post', '/api/v1/mappings/import', { mappings: set, dryRun: true }).expect(200);
    expect(r.body).toMatchObject({ applied: false, problems: [], summary: { create: 2, update: 0, unchanged: 0 } });
    expect(await h.db.prisma.groupMapping.count()).toBe(before);
  });

  it('refuses a set with problems with the whole report, writing nothing', async () => {
    const bad = [...set, { idpGroup: 'Dev1', licenses: ['nope'] }];
    const before = await h.db.prisma.groupMapping.count();
    const r = await h.send('post', '/api/v1/mappings/import', { mappings: bad }).expect(400);
    expect(r.body.error.details.problems).toEqual([
      { index: 2, path: 'mappings.2.licenses.0', message: 'unknown license nope' },
      { index: 2, path: 'mappings.2.idpGroup', message: 'idpGroup Dev1 is also mapping 0' },
    ]);
    expect(await h.db.prisma.groupMapping.count()).toBe(before);
  });

  it('replaces the set in one transaction and exports it back identically', async () => {
    await h.send('post', '/api/v1/mappings', { idpGroup: 'Leftover' }).expect(201);
    const r = await h.send('post', '/api/v1/mappings/import', { mappings: set, confirm: true }).expect(200);
    expect(r.body).toMatchObject({ applied: true, summary: { create: 2, delete: 1 } });
    const exported = (await h.get('/api/v1/mappings/export').expect(200)).body;
    expect(exported.version).toBe(1);
    expect(exported.mappings).toEqual(set);
    const again = await h.send('post', '/api/v1/mappings/import', exported).expect(200);
    expect(again.body.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 2 });
  });

  it('merge mode updates by idpGroup and keeps mappings absent from the file', async () => {
    const r = await h.send('post', '/api/v1/mappings/import', { mode: 'merge', mappings: [{ ...dev1, description: 'changed' }, { idpGroup: 'New' }] }).expect(200);
    expect(r.body.summary).toEqual({ create: 1, update: 1, delete: 0, unchanged: 0 });
    expect((await h.get('/api/v1/mappings')).body.map((m: { idpGroup: string }) => m.idpGroup)).toEqual(['Dev1', 'Dev2', 'New']);
  });
});
