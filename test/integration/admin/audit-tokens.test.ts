import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedLicenses, seedMapping, seedUser, specLicenses } from '../../helpers/seed.js';
import { adminHarness, type Harness } from './harness.js';

let h: Harness;
let fiona: string;
beforeAll(async () => {
  h = await adminHarness();
  await seedLicenses(h.db, specLicenses(5));
  await seedMapping(h.db, { idpGroup: 'Dev1', licenses: ['citizen-developer'] });
  fiona = await seedUser(h.db, 'fiona', ['Dev1']);
  await h.deps.allocation.decideUser(fiona, { actor: 'saml:fiona', action: 'login' });
  await h.send('put', '/api/v1/licenses/bot-creator', { name: '=HYPERLINK("x"), "quoted"', kind: 'primary', capacity: 7 }).expect(200);
  await h.deps.allocation.decideUser(fiona, { actor: 'saml:fiona', action: 'login' });
});
afterAll(async () => h.close());

describe('audit', () => {
  it('lists events newest first', async () => {
    const r = await h.get('/api/v1/audit').expect(200);
    expect(r.body.items.slice(0, 3).map((e: { action: string }) => e.action)).toEqual(['login', 'license.update', 'login']);
    expect(r.body.items[0]).toMatchObject({ actor: 'saml:fiona', userId: fiona, subject: 'fiona', reason: 'UNCHANGED' });
    expect(r.body.nextCursor).toBeNull();
  });

  it.each([
    ['actor=admin:test-admin', ['license.update']],
    ['action=login', ['login', 'login']],
    ['user=fiona', ['login', 'login']],
    ['since=2000-01-01T00:00:00Z&until=2000-01-02T00:00:00Z', []],
  ])('filters by %s', async (q, actions) => {
    const r = await h.get(`/api/v1/audit?${q}`).expect(200);
    expect(r.body.items.map((e: { action: string }) => e.action)).toEqual(actions);
  });

  it('filters by user id as well as nameId', async () => {
    expect((await h.get(`/api/v1/audit?user=${fiona}`).expect(200)).body.items).toHaveLength(2);
  });

  it('pages with a cursor', async () => {
    const first = await h.get('/api/v1/audit?limit=2').expect(200);
    expect(first.body.items).toHaveLength(2);
    const rest = await h.get(`/api/v1/audit?limit=2&cursor=${first.body.nextCursor}`).expect(200);
    expect(rest.body.items.map((e: { action: string }) => e.action)).toEqual(['login']);
    expect(rest.body.nextCursor).toBeNull();
  });

  it('exports CSV when asked with Accept: text/csv, quoting and defusing formulas', async () => {
    const r = await h.get('/api/v1/audit?action=license.update').set('Accept', 'text/csv').expect(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.headers['content-disposition']).toContain('audit.csv');
    const lines = r.text.trim().split('\r\n');
    expect(lines[0]).toBe('id,at,actor,action,userId,subject,reason,before,after,requestId');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(',admin:test-admin,license.update,,bot-creator,,');
    expect(lines[1]).toContain('""name"":""=HYPERLINK(\\""x\\""), \\""quoted\\""""');
  });

  it('defuses cells that a spreadsheet would run as a formula', async () => {
    const id = await seedUser(h.db, '=1+2', []);
    await h.deps.allocation.decideUser(id, { actor: 'test', action: 'csv.check' });
    const r = await h.get('/api/v1/audit?action=csv.check').set('Accept', 'text/csv').expect(200);
    expect(r.text.split('\r\n')[1]).toContain(`,${id},'=1+2,NO_MAPPING,`);
  });

  it.each([
    ['since=yesterday', 'query since:'],
    ['limit=501', 'query limit:'],
    ['cursor=%%%', 'cursor'],
  ])('refuses %s with 400', async (q, message) => {
    expect((await h.get(`/api/v1/audit?${q}`).expect(400)).body.error.message).toContain(message);
  });
});

describe('tokens', () => {
  it('lists tokens without secrets or hashes', async () => {
    const r = await h.get('/api/v1/tokens').expect(200);
    expect(r.body.map((t: { name: string }) => t.name)).toEqual(['test-admin', 'test-read', 'test-scim']);
    expect(JSON.stringify(r.body)).not.toMatch(/hash|allot_/);
  });

  it('creates a token whose secret is shown once and works at once', async () => {
    const r = await h.send('post', '/api/v1/tokens', { name: 'ci-reader', scope: 'read' }).expect(201);
    expect(r.body).toMatchObject({ name: 'ci-reader', scope: 'read', revokedAt: null });
    expect(r.body.token).toMatch(/^allot_/);
    expect(r.body).not.toHaveProperty('hash');
    await h.get('/api/v1/licenses', r.body.token).expect(200);
    expect((await h.get('/api/v1/tokens')).text).not.toContain(r.body.token);
  });

  it('refuses a duplicate name with 409 and bad input with 400', async () => {
    await h.send('post', '/api/v1/tokens', { name: 'ci-reader', scope: 'read' }).expect(409);
    expect((await h.send('post', '/api/v1/tokens', { name: 'x', scope: 'root' }).expect(400)).body.error.message).toMatch(/^scope:/);
    expect((await h.send('post', '/api/v1/tokens', { name: 'has space', scope: 'read' }).expect(400)).body.error.message).toMatch(/^name:/);
  });

  it('revokes a token: it stops working at once; unknown names are 404', async () => {
    const { body } = await h.send('post', '/api/v1/tokens', { name: 'short-lived', scope: 'admin' }).expect(201);
    const r = await h.send('delete', '/api/v1/tokens/short-lived').expect(200);
    expect(r.body.revokedAt).not.toBeNull();
    await h.get('/api/v1/licenses', body.token).expect(401);
    await h.send('delete', '/api/v1/tokens/never-existed').expect(404);
    const actions = await h.db.prisma.auditEvent.findMany({ where: { subject: 'short-lived' }, orderBy: { id: 'asc' } });
    expect(actions.map((a) => a.action)).toEqual(['token.create', 'token.revoke']);
  });
});
