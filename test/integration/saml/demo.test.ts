import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { createApp } from '../../../src/http/app.js';
import { createMetrics } from '../../../src/http/metrics.js';
import { buildDeps } from '../../../src/main.js';
import { features } from '../../../src/features.js';
import { createLogger } from '../../../src/shared/logger.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';
import { sessionCookie } from '../../helpers/saml-app.js';

let db: TestDb;

function demoApp(env: 'development' | 'production', idp: Record<string, unknown> = { certs: [] }) {
  const config = configSchema.parse({
    env,
    publicUrl: 'http://127.0.0.1:3000',
    database: { dataDir: 'memory://' },
    log: {},
    saml: { sp: {}, idp },
    session: {},
    jobs: {},
    demo: { enabled: true },
    bootstrap: {},
  });
  const deps = buildDeps(config, db, createLogger({ level: 'error', format: 'json', silent: true }), systemClock, createMetrics({ defaultMetrics: false }));
  return createApp(deps, features);
}

const field = (html: string, name: string): string => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)![1]!.replace(/&amp;/g, '&');

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db?.destroy());

describe('demo identity provider', () => {
  it('signs Fiona in SP-initiated through samlify and shows her licenses and the explanation', async () => {
    const app = demoApp('development');
    const login = await request(app).get('/saml/login').query({ RelayState: '/' }).expect(302);
    const location = new URL(String(login.headers['location']));
    expect(location.pathname).toBe('/demo/idp');
    const picker = await request(app).get(`/demo/idp${location.search}`).expect(200);
    expect(picker.text).toContain('fiona@demo.allot');
    const signed = await request(app)
      .post('/demo/idp/login')
      .type('form')
      .send({ user: 'fiona@demo.allot', groups: 'Dev1, Dev2', SAMLRequest: location.searchParams.get('SAMLRequest')!, RelayState: '/' })
      .expect(200);
    const acs = await request(app).post('/saml/acs').type('form').send({ SAMLResponse: field(signed.text, 'SAMLResponse'), RelayState: '/' }).expect(303);
    const cookie = sessionCookie(acs);
    const me = await request(app).get('/me').set('Cookie', cookie).expect(200);
    expect(me.body.licenses.map((l: { key: string }) => l.key)).toEqual(['bot-insight', 'citizen-developer', 'process-discovery']);
    const home = await request(app).get('/').set('Cookie', cookie).expect(200);
    expect(home.text).toContain('Fiona Fischer');
    expect(home.text).toContain('citizen-developer');
    expect(home.text).toContain('Candidate primaries');
  });

  it('seeds the demo data once, and a second start seeds nothing more', async () => {
    demoApp('development');
    await request(demoApp('development')).get('/saml/metadata').expect(200);
    expect(await db.prisma.license.count()).toBe(6);
    expect(await db.prisma.groupMapping.count()).toBe(6);
  });

  it('shows Cora that bot-creator is sold out after Carl took the only seat (IdP-initiated)', async () => {
    const app = demoApp('development');
    for (const user of ['carl@demo.allot', 'cora@demo.allot']) {
      const signed = await request(app).post('/demo/idp/login').type('form').send({ user, groups: 'Creators' }).expect(200);
      const acs = await request(app).post('/saml/acs').type('form').send({ SAMLResponse: field(signed.text, 'SAMLResponse') }).expect(303);
      if (user === 'cora@demo.allot') {
        const home = await request(app).get('/').set('Cookie', sessionCookie(acs)).expect(200);
        expect(home.text).toContain('Sold out');
        expect(home.text).toContain('bot-creator');
      }
    }
  });

  it('generates the demo IdP key once under the data directory and reuses it', async () => {
    const { mkdtempSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { loadOrCreateKeys } = await import('../../../src/demo/keys.js');
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'allot-demo-')), 'data');
    const [a, b] = await Promise.all([loadOrCreateKeys(dir, 'demo'), loadOrCreateKeys(dir, 'demo')]);
    expect(b.cert).toBe(a.cert);
    expect((await loadOrCreateKeys(dir, 'demo')).privateKey).toBe(a.privateKey);
    expect(statSync(path.join(dir, 'demo-idp.key')).mode & 0o777).toBe(0o600);
    expect(a.cert).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it('does not exist in production', async () => {
    const app = demoApp('production');
    await request(app).get('/demo/idp').expect(404);
    await request(app).post('/demo/idp/login').type('form').send({ user: 'fiona@demo.allot' }).expect(404);
  });

  it('does not exist when an IdP is configured', async () => {
    const app = demoApp('development', { entityId: 'https://idp.example.com', ssoUrl: 'https://idp.example.com/sso', certs: [(await import('../../../src/demo/self-signed.js')).createSelfSigned('x').cert] });
    await request(app).get('/demo/idp').expect(404);
  });
});
