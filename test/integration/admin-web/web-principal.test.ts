import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionAuth, sessionOrBearer } from '../../../src/auth/web-principal.js';
import { adminApiRule, bearerAuth } from '../../../src/auth/bearer.js';
import { createToken } from '../../../src/auth/tokens.js';
import { requestId } from '../../../src/http/request-id.js';
import { errorHandler } from '../../../src/http/error-handler.js';
import { createApp, type AppDeps } from '../../../src/http/app.js';
import { features } from '../../../src/features.js';
import { currentContext } from '../../../src/shared/request-context.js';
import { seedPolicy } from '../../helpers/seed.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';
import { createUser, startWebSession, testDeps, type WebLogin } from '../../helpers/web-session.js';

let db: TestDb;
let deps: AppDeps;
let app: express.Express;
let admin: WebLogin;
let auditor: WebLogin;
let basic: WebLogin;
let inactiveAdmin: WebLogin;
let bearer: string;

/** A stand-in admin API: reports who the request was authenticated as. */
function echoApp(): express.Express {
  const a = express();
  a.use(requestId);
  const router = express.Router();
  router.use(sessionOrBearer(sessionAuth(deps), bearerAuth(deps.db, adminApiRule, 'admin')));
  const whoami: express.RequestHandler = (req, res) => {
    res.json({ actor: currentContext()?.actor ?? null, via: req.webPrincipal ? 'session' : req.token ? 'token' : null, access: req.webPrincipal?.access ?? null });
  };
  router.get('/thing', whoami);
  router.post('/thing', whoami);
  router.delete('/thing', whoami);
  a.use('/api/v1', router);
  a.use(errorHandler(deps.logger));
  return a;
}

beforeAll(async () => {
  db = await createTestDb();
  deps = testDeps(db);
  admin = await startWebSession(deps.sessions, await createUser(db, 'ada@example.com', ['AAE_Admin']));
  auditor = await startWebSession(deps.sessions, await createUser(db, 'otto@example.com', ['AAE_Auditor']));
  basic = await startWebSession(deps.sessions, await createUser(db, 'fiona@example.com', ['AAE_Basic']));
  inactiveAdmin = await startWebSession(deps.sessions, await createUser(db, 'gone@example.com', ['AAE_Admin'], false));
  bearer = (await createToken(db, 'ci', 'admin')).token;
  app = echoApp();
});
afterAll(async () => db?.destroy());

describe('browser-session principal of the admin API', () => {
  it('authenticates an admin session for reads and records the actor admin:<nameId>', async () => {
    const res = await request(app).get('/api/v1/thing').set('Cookie', admin.cookie).expect(200);
    expect(res.body).toEqual({ actor: 'admin:ada@example.com', via: 'session', access: 'admin' });
  });

  it('lets an admin session write only with the session CSRF token in X-CSRF-Token', async () => {
    const missing = await request(app).post('/api/v1/thing').set('Cookie', admin.cookie).expect(403);
    expect(missing.body.error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'CSRF' } });
    await request(app).post('/api/v1/thing').set('Cookie', admin.cookie).set('X-CSRF-Token', auditor.csrfToken).expect(403);
    const ok = await request(app).delete('/api/v1/thing').set('Cookie', admin.cookie).set('X-CSRF-Token', admin.csrfToken).expect(200);
    expect(ok.body.actor).toBe('admin:ada@example.com');
  });

  it('gives a read-only admin role reads and refuses its writes even with the right CSRF token', async () => {
    expect((await request(app).get('/api/v1/thing').set('Cookie', auditor.cookie).expect(200)).body.access).toBe('read');
    const res = await request(app).post('/api/v1/thing').set('Cookie', auditor.cookie).set('X-CSRF-Token', auditor.csrfToken).expect(403);
    expect(res.body.error.message).toMatch(/read-only/);
  });

  it('refuses a session whose user holds no admin role, and one whose user is deactivated', async () => {
    const res = await request(app).get('/api/v1/thing').set('Cookie', basic.cookie).expect(403);
    expect(res.body.error.message).toContain('fiona@example.com holds no admin');
    await request(app).get('/api/v1/thing').set('Cookie', inactiveAdmin.cookie).expect(403);
  });

  it('falls through to bearer authentication without a session: 401 asking for a token', async () => {
    const res = await request(app).get('/api/v1/thing').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    await request(app).get('/api/v1/thing').set('Cookie', 'allot_session=forged').expect(401);
  });

  it('uses the bearer token, never the cookie, when an Authorization header is present', async () => {
    const viaToken = await request(app).post('/api/v1/thing').set('Cookie', basic.cookie).set('Authorization', `Bearer ${bearer}`).expect(200);
    expect(viaToken.body).toEqual({ actor: 'admin:ci', via: 'token', access: null });
    await request(app).get('/api/v1/thing').set('Cookie', admin.cookie).set('Authorization', 'Bearer wrong-token').expect(401);
  });

  it('follows the policy adminRoles read at each request', async () => {
    await seedPolicy(db, { adminRoles: ['AAE_Basic'] });
    try {
      expect((await request(app).get('/api/v1/thing').set('Cookie', basic.cookie).expect(200)).body.access).toBe('admin');
      await request(app).get('/api/v1/thing').set('Cookie', admin.cookie).expect(403);
    } finally {
      await seedPolicy(db, { adminRoles: ['AAE_Admin'] });
    }
  });

  it('ends access at once when the session is deleted', async () => {
    const user = await createUser(db, 'brief@example.com', ['AAE_Admin']);
    const login = await startWebSession(deps.sessions, user);
    await request(app).get('/api/v1/thing').set('Cookie', login.cookie).expect(200);
    await db.prisma.webSession.deleteMany({ where: { userId: user } });
    await request(app).get('/api/v1/thing').set('Cookie', login.cookie).expect(401);
  });
});

describe('the admin API behind adminAuth with a browser session', () => {
  it('creates a mapping with the CSRF token and audits it as admin:<nameId>; refuses it without', async () => {
    const api = createApp(deps, features);
    const body = { idpGroup: 'Web-Created', roles: ['AAE_Basic'], licenses: [] };
    const refused = await request(api).post('/api/v1/mappings').set('Cookie', admin.cookie).send(body).expect(403);
    expect(refused.body.error.details).toEqual({ reason: 'CSRF' });
    expect(await db.prisma.groupMapping.count({ where: { idpGroup: 'Web-Created' } })).toBe(0);
    const created = await request(api).post('/api/v1/mappings').set('Cookie', admin.cookie).set('X-CSRF-Token', admin.csrfToken).send(body).expect(201);
    const audit = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'mapping.create' }, orderBy: { id: 'desc' } });
    expect(audit.actor).toBe('admin:ada@example.com');
    await request(api).delete(`/api/v1/mappings/${created.body.id}`).set('Cookie', auditor.cookie).set('X-CSRF-Token', auditor.csrfToken).expect(403);
    expect((await request(api).get('/api/v1/mappings').set('Cookie', auditor.cookie).expect(200)).body.some((m: { idpGroup: string }) => m.idpGroup === 'Web-Created')).toBe(true);
  });
});
