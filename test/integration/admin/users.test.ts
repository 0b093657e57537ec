import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdings, seedLicenses, seedMapping, seedUser, specLicenses } from '../../helpers/seed.js';
import { adminHarness, type Harness } from './harness.js';

let h: Harness;
let fiona: string;
beforeAll(async () => {
  h = await adminHarness();
  await seedLicenses(h.db, specLicenses(5, { 'bot-creator': 1 }));
  await seedMapping(h.db, { idpGroup: 'Dev1', licenses: ['citizen-developer', 'process-discovery'] });
  await seedMapping(h.db, { idpGroup: 'Ops', licenses: ['unattended-bot-runner'], roles: ['AAE_Ops'] });
  fiona = await seedUser(h.db, 'Fiona@example.com', ['Dev1']);
  for (const [name, groups] of [['gus@example.com', ['Ops']], ['hal@example.com', []], ['ida@example.com', ['Dev1']]] as const) {
    const id = await seedUser(h.db, name, groups);
    await h.deps.allocation.decideUser(id, { actor: 'test', action: 'test' });
  }
  await h.deps.allocation.decideUser(fiona, { actor: 'test', action: 'test' });
  await h.db.prisma.user.update({ where: { id: fiona }, data: { email: 'fiona@example.com', firstName: 'Fiona' } });
});
afterAll(async () => h.close());

const names = (r: { body: { items: { nameId: string }[] } }) => r.body.items.map((u) => u.nameId);

describe('users list', () => {
  it('lists users by nameId with roles, groups and licenses', async () => {
    const r = await h.get('/api/v1/users').expect(200);
    expect(names(r)).toEqual(['Fiona@example.com', 'gus@example.com', 'hal@example.com', 'ida@example.com']);
    expect(r.body.items[0]).toMatchObject({
      id: fiona,
      nameId: 'Fiona@example.com',
      email: 'fiona@example.com',
      active: true,
      roles: ['AAE_Basic'],
      groups: ['Dev1'],
      memberships: [{ group: 'Dev1', source: 'saml' }],
      licenses: [
        { key: 'citizen-developer', origin: 'mapping' },
        { key: 'process-discovery', origin: 'mapping' },
      ],
    });
    expect(r.body.nextCursor).toBeNull();
  });

  it('names the source of each group: SAML login, SCIM, or both', async () => {
    const gus = (await h.get('/api/v1/users/gus@example.com').expect(200)).body.id as string;
    await h.db.prisma.membership.createMany({ data: [{ userId: gus, source: 'scim', groupName: 'Ops' }, { userId: gus, source: 'scim', groupName: 'Sales' }] });
    const r = await h.get(`/api/v1/users/${gus}`).expect(200);
    expect(r.body.groups).toEqual(['Ops', 'Sales']);
    expect(r.body.memberships).toEqual([
      { group: 'Ops', source: 'saml' },
      { group: 'Ops', source: 'scim' },
      { group: 'Sales', source: 'scim' },
    ]);
    await h.db.prisma.membership.deleteMany({ where: { userId: gus, source: 'scim' } });
  });

  it('pages with a cursor until the end', async () => {
    const first = await h.get('/api/v1/users?limit=3').expect(200);
    expect(names(first)).toHaveLength(3);
    const second = await h.get(`/api/v1/users?limit=3&cursor=${first.body.nextCursor}`).expect(200);
    expect(names(second)).toEqual(['ida@example.com']);
    expect(second.body.nextCursor).toBeNull();
  });

  it.each([
    ['nameId=FIONA', ['Fiona@example.com']],
    ['role=AAE_Ops', ['gus@example.com']],
    ['license=process-discovery', ['Fiona@example.com', 'ida@example.com']],
    ['reason=NO_MAPPING', ['hal@example.com']],
    ['active=false', []],
    ['nameId=example&license=unattended-bot-runner', ['gus@example.com']],
  ])('filters by %s', async (q, expected) => {
    expect(names(await h.get(`/api/v1/users?${q}`).expect(200))).toEqual(expected);
  });

  it.each([
    ['limit=0', 'query limit:'],
    ['limit=abc', 'query limit:'],
    ['active=maybe', 'query active:'],
    ['cursor=garbage', 'cursor:'],
    ['colour=blue', 'query'],
  ])('refuses %s with 400', async (q, message) => {
    expect((await h.get(`/api/v1/users?${q}`).expect(400)).body.error.message).toContain(message);
  });
});

describe('one user', () => {
  it('is found by id or by nameId, case-insensitively', async () => {
    expect((await h.get(`/api/v1/users/${fiona}`).expect(200)).body.nameId).toBe('Fiona@example.com');
    expect((await h.get('/api/v1/users/fiona@EXAMPLE.com').expect(200)).body.id).toBe(fiona);
  });

  it('answers 404 for an unknown user on every user route', async () => {
    await h.get('/api/v1/users/nobody').expect(404);
    await h.get('/api/v1/users/nobody/explain').expect(404);
    await h.send('post', '/api/v1/users/nobody/licenses', { key: 'bot-creator' }).expect(404);
    await h.send('delete', '/api/v1/users/nobody/licenses/bot-creator').expect(404);
    await h.send('post', '/api/v1/users/nobody/deactivate', {}).expect(404);
    await h.send('post', '/api/v1/users/nobody/reactivate').expect(404);
  });

  it('explains the current decision and the last one applied', async () => {
    const r = await h.get('/api/v1/users/fiona@example.com/explain').expect(200);
    expect(r.body.reason).toBe('UNCHANGED');
    expect(r.body.trace.matched[0].idpGroup).toBe('Dev1');
    expect(r.body.target).toEqual(['citizen-developer', 'process-discovery']);
    expect(r.body.last).toMatchObject({ reason: 'ALLOCATED' });
  });
});

describe('manual allocation', () => {
  it('assigns a license with origin manual through the allocation service, audited', async () => {
    const r = await h.send('post', `/api/v1/users/hal@example.com/licenses`, { key: 'bot-creator' }).expect(200);
    expect(r.body.licenses).toEqual([{ key: 'bot-creator', origin: 'manual' }]);
    expect(r.body.reason).toBe('MANUAL_PRESERVED');
    const audit = await h.db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'user.license.assign' } });
    expect(audit.actor).toBe('admin:test-admin');
  });

  it('never over-allocates: the last seat taken answers 409 with capacity and used', async () => {
    const r = await h.send('post', `/api/v1/users/gus@example.com/licenses`, { key: 'bot-creator' }).expect(409);
    expect(r.body.error.details).toMatchObject({ key: 'bot-creator', capacity: 1, used: 1 });
    expect(await holdings(h.db, (await h.get('/api/v1/users/gus@example.com')).body.id)).toEqual(['unattended-bot-runner']);
  });

  it('refuses an unknown license with 404 and a malformed one with 400', async () => {
    await h.send('post', '/api/v1/users/hal@example.com/licenses', { key: 'nope' }).expect(404);
    expect((await h.send('post', '/api/v1/users/hal@example.com/licenses', { key: 'Not A Key' }).expect(400)).body.error.message).toMatch(/^key:/);
    await h.send('post', '/api/v1/users/hal@example.com/licenses', {}).expect(400);
  });

  it('revokes a license; revoking one not held is 404', async () => {
    const r = await h.send('delete', '/api/v1/users/hal@example.com/licenses/bot-creator').expect(200);
    expect(r.body.licenses).toEqual([]);
    await h.send('delete', '/api/v1/users/hal@example.com/licenses/bot-creator').expect(404);
  });
});

describe('deactivate and reactivate', () => {
  it('deactivating releases every seat; reactivating decides again', async () => {
    const off = await h.send('post', '/api/v1/users/ida@example.com/deactivate', {}).expect(200);
    expect(off.body).toMatchObject({ active: false, licenses: [], reason: 'DEACTIVATED' });
    expect(names(await h.get('/api/v1/users?active=false'))).toEqual(['ida@example.com']);
    const on = await h.send('post', '/api/v1/users/ida@example.com/reactivate').expect(200);
    expect(on.body).toMatchObject({ active: true, reason: 'ALLOCATED' });
    expect(on.body.licenses.map((l: { key: string }) => l.key)).toEqual(['citizen-developer', 'process-discovery']);
  });

  it('refuses a manual assignment to a deactivated user with 409', async () => {
    await h.send('post', '/api/v1/users/hal@example.com/deactivate', {}).expect(200);
    const r = await h.send('post', '/api/v1/users/hal@example.com/licenses', { key: 'bot-insight' }).expect(409);
    expect(r.body.error.message).toContain('hal@example.com is deactivated');
    await h.send('post', '/api/v1/users/hal@example.com/reactivate').expect(200);
  });

  it('refuses a body that is not {confirm}', async () => {
    await h.send('post', '/api/v1/users/ida@example.com/deactivate', { confirm: 'yes' }).expect(400);
  });
});
