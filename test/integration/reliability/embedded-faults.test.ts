/**
 * The embedded database failing under a running app (issue 9): the PGlite engine is closed while
 * the app keeps serving (what a fatal engine error leaves behind). Every surface answers 503 with
 * a logged reason, never a 500 or a stack trace, and the process keeps running. Runs on PGlite
 * whatever TEST_DATABASE_URL says: it is about the embedded engine.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../../src/auth/tokens.js';
import { createDb, type Db } from '../../../src/db/client.js';
import { createApp } from '../../../src/http/app.js';
import { features } from '../../../src/features.js';
import { createTestIdp } from '../../helpers/idp.js';
import { postAcs, samlApp, testConfig, type SamlApp } from '../../helpers/saml-app.js';
import { seedLicenses, seedMapping, seedUser } from '../../helpers/seed.js';

describe('the embedded PGlite engine closed under a running app', () => {
  let db: Db;
  let s: SamlApp;
  let admin = '';
  let userId = '';
  const idp = createTestIdp();

  beforeAll(async () => {
    db = await createDb({ dataDir: 'memory://', transactionTimeoutMs: 30_000 });
    await seedLicenses(db, [{ key: 'bot-creator', capacity: 5 }]);
    await seedMapping(db, { idpGroup: 'Engineers', licenses: ['bot-creator'] });
    userId = await seedUser(db, 'fiona@example.com', ['Engineers']);
    admin = (await createToken(db, 'embedded-admin', 'admin')).token;
    // samlApp captures the logs; the app itself gets every feature the service mounts.
    const base = samlApp(db, testConfig(db, idp.keys.cert));
    s = { ...base, app: createApp(base.deps, features) };
    const ok = await postAcs(s.app, (await idp.mint({ nameId: 'before@example.com', groups: ['Engineers'] })).base64);
    expect(ok.status).toBe(303);
    await db.close();
  }, 120_000);
  afterAll(async () => db?.close().catch(() => {}));

  it('answers /readyz 503 and /healthz 200', async () => {
    expect((await request(s.app).get('/readyz')).status).toBe(503);
    expect((await request(s.app).get('/healthz')).status).toBe(200);
  });

  it('answers a SAML login 503 with the plain page, and logs why', async () => {
    const res = await postAcs(s.app, (await idp.mint({ nameId: 'after@example.com', groups: ['Engineers'] })).base64);
    expect(res.status).toBe(503);
    expect(res.text).toContain('temporarily unavailable');
    expect(res.text).not.toMatch(/\n\s+at /);
    expect(s.logs.some((l) => l['message'] === 'SAML request failed' && /closed/i.test(JSON.stringify(l['error'])))).toBe(true);
  });

  it('answers an admin write 503 DATABASE_UNAVAILABLE, and logs why', async () => {
    const res = await request(s.app).post(`/api/v1/users/${userId}/licenses`).set('Authorization', `Bearer ${admin}`).send({ key: 'bot-creator' });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: { code: 'DATABASE_UNAVAILABLE' } });
    expect(s.logs.some((l) => l['message'] === 'request failed' && l['status'] === 503)).toBe(true);
  });

  it('answers SCIM 503 in the SCIM error shape', async () => {
    const res = await request(s.app).get('/scim/v2/Users').set('Authorization', 'Bearer anything');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: '503' });
  });
});
