import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../../src/admin/api.js';
import { seedLicenses, specLicenses } from '../../helpers/seed.js';
import { adminHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await adminHarness();
  await seedLicenses(h.db, specLicenses(1));
});
afterAll(async () => h.close());

const SAMPLE: Record<string, string> = { key: 'no-such-license', id: '00000000-0000-4000-8000-000000000000', name: 'no-such-token' };
const pathOf = (template: string) => `/api/v1${template.replace(/:(\w+)/g, (_m, p: string) => SAMPLE[p] ?? 'x')}`;
const routes = adminRoutes.map((r) => ({ label: `${r.method.toUpperCase()} ${r.path}`, method: r.method, path: pathOf(r.path) }));

type Who = 'none' | 'bad token' | 'read' | 'scim' | 'admin';
function call(method: (typeof routes)[number]['method'], path: string, who: Who) {
  const token = who === 'none' ? undefined : who === 'bad token' ? 'allot_not-a-real-token' : h.tokens[who];
  const r = request(h.app)[method](path);
  if (token) r.set('Authorization', `Bearer ${token}`);
  return method === 'get' ? r : r.send({});
}

describe.each(routes)('$label', ({ method, path }) => {
  it('answers 401 without a token, with a WWW-Authenticate challenge', async () => {
    const r = await call(method, path, 'none').expect(401);
    expect(r.body.error.code).toBe('UNAUTHENTICATED');
    expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('answers 401 with an unknown token', async () => {
    expect((await call(method, path, 'bad token').expect(401)).body.error.code).toBe('UNAUTHENTICATED');
  });

  it('answers 403 to a scim token', async () => {
    expect((await call(method, path, 'scim').expect(403)).body.error.code).toBe('FORBIDDEN');
  });

  it(method === 'get' ? 'lets a read token through' : 'answers 403 to a read token', async () => {
    const r = await call(method, path, 'read');
    if (method === 'get') expect([200, 404]).toContain(r.status);
    else expect(r.status).toBe(403);
  });

  it('lets an admin token through', async () => {
    const r = await call(method, path, 'admin');
    expect([200, 201, 400, 404, 409]).toContain(r.status);
  });
});
