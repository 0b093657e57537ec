import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createApp, type AppDeps } from '../../../src/http/app.js';
import { adminWebFeature, ADMIN_CSP, LOGIN_URL, STATIC_DIR } from '../../../src/admin/web/feature.js';
import { SESSION_COOKIE } from '../../../src/sessions/service.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';
import { createUser, startWebSession, testDeps, type WebLogin } from '../../helpers/web-session.js';

let db: TestDb;
let deps: AppDeps;
let app: Express;
let admin: WebLogin;
let auditor: WebLogin;
let fiona: WebLogin;

beforeAll(async () => {
  db = await createTestDb();
  deps = testDeps(db);
  app = createApp(deps, [adminWebFeature]);
  admin = await startWebSession(deps.sessions, await createUser(db, 'ada@example.com', ['AAE_Admin']));
  auditor = await startWebSession(deps.sessions, await createUser(db, 'otto@example.com', ['AAE_Auditor']));
  fiona = await startWebSession(deps.sessions, await createUser(db, '<fiona>@example.com', ['AAE_Basic']));
});
afterAll(async () => db?.destroy());

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('GET /admin', () => {
  it('sends a visitor without a session to the SAML login, returning to /admin', async () => {
    const res = await request(app).get('/admin').expect(302);
    expect(res.headers['location']).toBe(LOGIN_URL);
    expect(LOGIN_URL).toBe('/saml/login?RelayState=%2Fadmin');
  });

  it('shows a signed-in user without an admin role a plain 403 page naming them (escaped)', async () => {
    const res = await request(app).get('/admin').set('Cookie', fiona.cookie).expect(403);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('Access denied');
    expect(res.text).toContain('&#60;fiona&#62;@example.com');
    expect(res.text).not.toContain('<fiona>');
  });

  it('serves the page to admins and read-only admins with a strict Content-Security-Policy', async () => {
    for (const login of [admin, auditor]) {
      const res = await request(app).get('/admin').set('Cookie', login.cookie).expect(200);
      expect(res.text).toContain('<script type="module" src="/admin/assets/js/main.js"></script>');
      expect(res.headers['content-security-policy']).toBe(ADMIN_CSP);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    expect(ADMIN_CSP).toContain("frame-ancestors 'none'");
    expect(ADMIN_CSP).toContain("default-src 'self'");
    expect(ADMIN_CSP).not.toContain('unsafe');
  });

  it('serves the scripts and the stylesheet from files', async () => {
    const js = await request(app).get('/admin/assets/js/main.js').expect(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    const css = await request(app).get('/admin/assets/app.css').expect(200);
    expect(css.headers['content-type']).toMatch(/text\/css/);
    await request(app).get('/admin/assets/js/nope.js').expect(404);
    await request(app).get('/admin/assets/../feature.ts').expect(404);
  });
});

describe('the page source respects the CSP and never injects markup', () => {
  const files = listFiles(STATIC_DIR);
  it.each(files.filter((f) => f.endsWith('.html')).map((f) => [path.basename(f), f]))('%s has no inline script, style or handler', (_name, file) => {
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });
  it.each(files.filter((f) => f.endsWith('.js')).map((f) => [path.relative(STATIC_DIR, f), f]))('%s never writes HTML strings into the page', (_name, file) => {
    expect(readFileSync(file, 'utf8')).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });

  it('type-checks the browser scripts (JSDoc types, DOM library)', async () => {
    const tsc = path.resolve('node_modules/typescript/bin/tsc');
    const out = await new Promise<{ code: number; text: string }>((resolve) =>
      execFile(process.execPath, [tsc, '-p', STATIC_DIR], { timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, text: stdout + stderr })),
    );
    expect(out.text).toBe('');
    expect(out.code).toBe(0);
  });
});

describe('GET /admin/session and POST /admin/logout', () => {
  it('gives the page its user, access and CSRF token', async () => {
    const res = await request(app).get('/admin/session').set('Cookie', admin.cookie).expect(200);
    expect(res.body).toMatchObject({ nameId: 'ada@example.com', access: 'admin', csrfToken: admin.csrfToken });
    expect((await request(app).get('/admin/session').set('Cookie', auditor.cookie).expect(200)).body.access).toBe('read');
  });

  it('answers 401 without a session and 403 without an admin role', async () => {
    expect((await request(app).get('/admin/session').expect(401)).body.error.code).toBe('UNAUTHENTICATED');
    expect((await request(app).get('/admin/session').set('Cookie', fiona.cookie).expect(403)).body.error.code).toBe('FORBIDDEN');
  });

  it('signs out only with the CSRF token, then the session is gone', async () => {
    const login = await startWebSession(deps.sessions, await createUser(db, 'leaving@example.com', ['AAE_Admin']));
    await request(app).post('/admin/logout').set('Cookie', login.cookie).expect(403);
    const res = await request(app).post('/admin/logout').set('Cookie', login.cookie).set('X-CSRF-Token', login.csrfToken).expect(204);
    expect(String(res.headers['set-cookie'])).toContain(`${SESSION_COOKIE}=;`);
    await request(app).get('/admin').set('Cookie', login.cookie).expect(302);
  });
});
