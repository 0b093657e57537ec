import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inflateRawSync } from 'node:zlib';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';
import { holdings, seedLicenses, seedMapping, specLicenses, seedPolicy } from '../../helpers/seed.js';
import { createTestIdp, TARGET, type TestIdp } from '../../helpers/idp.js';
import { postAcs, samlApp, sessionCookie, testConfig, type SamlApp } from '../../helpers/saml-app.js';

let db: TestDb;
let idp: TestIdp;
let s: SamlApp;

beforeAll(async () => {
  db = await createTestDb();
  idp = createTestIdp();
  s = samlApp(db, testConfig(db, idp.keys.cert));
  await seedLicenses(db, specLicenses(5, { 'bot-creator': 1 }));
  await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer', 'process-discovery'] });
  await seedMapping(db, { idpGroup: 'Dev2', licenses: ['attended-bot-runner', 'bot-insight'] });
  await seedMapping(db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
  await seedMapping(db, { idpGroup: 'Admins', roles: ['AAE_Admin'], licenses: [] });
  await seedMapping(db, { idpGroup: 'Manual', licenses: ['unattended-bot-runner'], autoProvision: false });
});
afterAll(async () => db?.destroy());

async function userByName(nameId: string) {
  return db.prisma.user.findUnique({ where: { nameIdLower: nameId.toLowerCase() } });
}

/** SP-initiated: GET /saml/login, read the AuthnRequest id from the redirect, answer it. */
async function spInitiated(relay?: string): Promise<{ id: string; location: string }> {
  const res = await request(s.app).get('/saml/login').query(relay ? { RelayState: relay } : {}).expect(302);
  const location = String(res.headers['location']);
  expect(location.startsWith(TARGET.ssoUrl)).toBe(true);
  const xml = inflateRawSync(Buffer.from(new URL(location).searchParams.get('SAMLRequest')!, 'base64')).toString();
  const id = /ID="([^"]+)"/.exec(xml)![1]!;
  return { id, location };
}

describe('SAML login through the ACS', () => {
  it('logs Fiona in SP-initiated: citizen-developer over attended-bot-runner, session, redirect to RelayState', async () => {
    const { id, location } = await spInitiated('/welcome?x=1');
    expect(new URL(location).searchParams.get('RelayState')).toBe('/welcome?x=1');
    const minted = await idp.mint({ nameId: 'fiona@example.com', groups: ['Dev1', 'Dev2'], firstName: 'Fiona', lastName: 'Ng', email: 'fiona@example.com', userId: 'u-fiona' }, { inResponseTo: id });
    const res = await postAcs(s.app, minted.base64, '/welcome?x=1').expect(303);
    expect(res.headers['location']).toBe('/welcome?x=1');
    const user = await userByName('fiona@example.com');
    expect(user).toMatchObject({ firstName: 'Fiona', lastName: 'Ng', email: 'fiona@example.com', userId: 'u-fiona', active: true });
    expect(await holdings(db, user!.id)).toEqual(['bot-insight', 'citizen-developer', 'process-discovery']);
    const me = await request(s.app).get('/me').set('Cookie', sessionCookie(res)).expect(200);
    expect(me.body).toMatchObject({ nameId: 'fiona@example.com', roles: ['AAE_Basic'] });
    expect(me.body.licenses.map((l: { key: string }) => l.key)).toEqual(['bot-insight', 'citizen-developer', 'process-discovery']);
    const audit = await db.prisma.auditEvent.findMany({ where: { userId: user!.id } });
    expect(audit.map((a) => [a.actor, a.action, a.reason])).toEqual([['saml:fiona@example.com', 'login', 'ALLOCATED']]);
    expect(await s.metric('allot_logins_total', { outcome: 'ALLOCATED' })).toBeGreaterThan(0);
  });

  it('logs a user in IdP-initiated (no InResponseTo) and redirects to /', async () => {
    const minted = await idp.mint({ nameId: 'ivan@example.com', groups: 'Dev2'.split(',') });
    const res = await postAcs(s.app, minted.base64).expect(303);
    expect(res.headers['location']).toBe('/');
    expect(await holdings(db, (await userByName('ivan@example.com'))!.id)).toEqual(['attended-bot-runner', 'bot-insight']);
  });

  it('updates attributes on a second login, and a removed group releases its licenses', async () => {
    await postAcs(s.app, (await idp.mint({ nameId: 'gary@example.com', groups: ['Dev1', 'Dev2'], firstName: 'Gary' })).base64).expect(303);
    await postAcs(s.app, (await idp.mint({ nameId: 'gary@example.com', groups: ['Dev2'], firstName: 'Garry', email: 'garry@example.com' })).base64).expect(303);
    const user = await userByName('gary@example.com');
    expect(user).toMatchObject({ firstName: 'Garry', email: 'garry@example.com' });
    expect(await holdings(db, user!.id)).toEqual(['attended-bot-runner', 'bot-insight']);
    const groups = await db.prisma.membership.findMany({ where: { userId: user!.id }, select: { groupName: true, source: true } });
    expect(groups).toEqual([{ groupName: 'Dev2', source: 'saml' }]);
  });

  it('gives an admin bot-insight only', async () => {
    await postAcs(s.app, (await idp.mint({ nameId: 'ada@example.com', groups: ['Admins', 'Dev1'] })).base64).expect(303);
    expect(await holdings(db, (await userByName('ada@example.com'))!.id)).toEqual(['bot-insight']);
  });

  it('completes a login with a sold-out bundle: no seat, waiting, and the page names the license', async () => {
    await postAcs(s.app, (await idp.mint({ nameId: 'first@example.com', groups: ['Creators'] })).base64).expect(303);
    const res = await postAcs(s.app, (await idp.mint({ nameId: 'second@example.com', groups: ['Creators'] })).base64).expect(303);
    const user = await userByName('second@example.com');
    expect(await holdings(db, user!.id)).toEqual([]);
    expect(user!.waitingSince).not.toBeNull();
    const home = await request(s.app).get('/').set('Cookie', sessionCookie(res)).expect(200);
    expect(home.text).toContain('Sold out');
    expect(home.text).toContain('bot-creator');
    expect(home.text).toContain('a seat will be granted automatically when one frees');
  });

  it('refuses an unmapped new user with a 403 page, creating nothing but an audit row', async () => {
    const res = await postAcs(s.app, (await idp.mint({ nameId: 'nobody@example.com', groups: ['Unknown'] })).base64).expect(403);
    expect(res.text).toContain('NO_MAPPING');
    expect(await userByName('nobody@example.com')).toBeNull();
    const audit = await db.prisma.auditEvent.findMany({ where: { actor: 'saml:nobody@example.com' } });
    expect(audit.map((a) => [a.action, a.reason])).toEqual([['login.denied', 'NO_MAPPING']]);
  });

  it('refuses a user whose only mapping does not auto-provision', async () => {
    const res = await postAcs(s.app, (await idp.mint({ nameId: 'manual@example.com', groups: ['Manual'] })).base64).expect(403);
    expect(res.text).toContain('NOT_PROVISIONED');
    expect(await userByName('manual@example.com')).toBeNull();
  });

  it('releases an existing user’s licenses when no group maps any more, then answers 403', async () => {
    await postAcs(s.app, (await idp.mint({ nameId: 'leaver@example.com', groups: ['Dev1'] })).base64).expect(303);
    const res = await postAcs(s.app, (await idp.mint({ nameId: 'leaver@example.com', groups: [] })).base64).expect(403);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await holdings(db, (await userByName('leaver@example.com'))!.id)).toEqual([]);
  });

  it('writes a session for an unmapped existing user only when the policy lets them in', async () => {
    await postAcs(s.app, (await idp.mint({ nameId: 'drifter@example.com', groups: ['Dev1'] })).base64).expect(303);
    const user = await userByName('drifter@example.com');
    const sessions = () => db.prisma.webSession.count({ where: { userId: user!.id } });
    expect(await sessions()).toBe(1);
    const denied = await postAcs(s.app, (await idp.mint({ nameId: 'drifter@example.com', groups: [] })).base64).expect(403);
    expect(denied.headers['set-cookie']).toBeUndefined();
    expect(await sessions()).toBe(1);
    await seedPolicy(db, { jit: { denyUnmapped: false, reactivateOnLogin: false, redistributeManual: false } });
    try {
      const res = await postAcs(s.app, (await idp.mint({ nameId: 'drifter@example.com', groups: [] })).base64).expect(303);
      expect(await sessions()).toBe(2);
      const me = await request(s.app).get('/me').set('Cookie', sessionCookie(res)).expect(200);
      expect(me.body).toMatchObject({ nameId: 'drifter@example.com', roles: [] });
    } finally {
      await seedPolicy(db, {});
    }
  });

  it('refuses a deactivated user unless the policy reactivates on login', async () => {
    await postAcs(s.app, (await idp.mint({ nameId: 'gone@example.com', groups: ['Dev1'] })).base64).expect(303);
    await db.prisma.user.update({ where: { nameIdLower: 'gone@example.com' }, data: { active: false } });
    const res = await postAcs(s.app, (await idp.mint({ nameId: 'gone@example.com', groups: ['Dev1'] })).base64).expect(403);
    expect(res.text).toContain('DEACTIVATED');
    await seedPolicy(db, { jit: { denyUnmapped: true, reactivateOnLogin: true, redistributeManual: false } });
    await postAcs(s.app, (await idp.mint({ nameId: 'gone@example.com', groups: ['Dev1'] })).base64).expect(303);
    expect((await userByName('gone@example.com'))!.active).toBe(true);
    await seedPolicy(db, {});
  });

  it('accepts a single group value and the Entra group claim URI', async () => {
    await postAcs(
      s.app,
      (await idp.mint({ nameId: 'entra@example.com', extra: { 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': ['Dev2'] } })).base64,
    ).expect(303);
    expect(await holdings(db, (await userByName('entra@example.com'))!.id)).toEqual(['attended-bot-runner', 'bot-insight']);
  });

  it('refuses a groups-overage claim without SCIM memberships', async () => {
    const res = await postAcs(
      s.app,
      (await idp.mint({ nameId: 'many@example.com', extra: { 'http://schemas.microsoft.com/claims/groups.link': ['https://graph.microsoft.com/v1.0/users/x/getMemberObjects'] } })).base64,
    ).expect(403);
    expect(res.text).toContain('GROUPS_OVERAGE');
  });

  it('creates one user when the same new user logs in twice at once', async () => {
    const [a, b] = await Promise.all([
      idp.mint({ nameId: 'twice@example.com', groups: ['Dev1'] }),
      idp.mint({ nameId: 'twice@example.com', groups: ['Dev1'] }),
    ]);
    const [ra, rb] = await Promise.all([postAcs(s.app, a.base64), postAcs(s.app, b.base64)]);
    expect([ra.status, rb.status]).toEqual([303, 303]);
    expect(await db.prisma.user.count({ where: { nameIdLower: 'twice@example.com' } })).toBe(1);
    expect(await holdings(db, (await userByName('twice@example.com'))!.id)).toEqual(['citizen-developer', 'process-discovery']);
  });

  it('logs out: the session ends and /me answers 401', async () => {
    const res = await postAcs(s.app, (await idp.mint({ nameId: 'bye@example.com', groups: ['Dev1'] })).base64).expect(303);
    const cookie = sessionCookie(res);
    await request(s.app).get('/me').set('Cookie', cookie).expect(200);
    await request(s.app).post('/saml/logout').set('Cookie', cookie).expect(303);
    await request(s.app).get('/me').set('Cookie', cookie).expect(401);
  });

  it('answers /me 401 without a session and serves SP metadata', async () => {
    await request(s.app).get('/me').expect(401);
    const md = await request(s.app).get('/saml/metadata').expect(200);
    expect(md.text).toContain(`entityID="${TARGET.spEntityId}"`);
    expect(md.text).toContain(TARGET.acsUrl);
  });

  it('refuses an off-site RelayState at login and ignores one at the ACS', async () => {
    await request(s.app).get('/saml/login').query({ RelayState: '//evil.example/' }).expect(400);
    const res = await postAcs(s.app, (await idp.mint({ nameId: 'relay@example.com', groups: ['Dev1'] })).base64, 'https://evil.example/').expect(303);
    expect(res.headers['location']).toBe('/');
  });
});
