import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../../src/admin/api.js';
import { seedLicenses, seedMapping, seedUser, specLicenses } from '../../helpers/seed.js';
import { adminHarness, type Harness } from './harness.js';

let h: Harness;
const sample: Record<string, string> = { key: 'bot-creator', name: 'no-such-token', id: 'fiona' };
beforeAll(async () => {
  h = await adminHarness();
  await seedLicenses(h.db, specLicenses(2));
  const mapping = await seedMapping(h.db, { idpGroup: 'Dev1', licenses: ['citizen-developer'] });
  await seedMapping(h.db, { idpGroup: 'Admins', roles: ['AAE_Admin'] });
  const fiona = await seedUser(h.db, 'fiona', ['Dev1', 'Admins']);
  await h.deps.allocation.decideUser(fiona, { actor: 'test', action: 'test' });
  sample['mappingId'] = mapping;
});
afterAll(async () => h.close());

/** Everything an admin write can change; compared around every refused request. */
async function fingerprint(): Promise<string> {
  const p = h.db.prisma;
  const parts = await Promise.all([
    p.license.findMany({ orderBy: { key: 'asc' }, omit: { updatedAt: true } }),
    p.settings.findMany({ omit: { updatedAt: true } }),
    p.groupMapping.findMany({ orderBy: { id: 'asc' } }),
    p.allocation.findMany({ orderBy: [{ userId: 'asc' }, { licenseKey: 'asc' }], omit: { createdAt: true } }),
    p.user.findMany({ select: { id: true, active: true } }),
    p.apiToken.findMany({ select: { name: true, revokedAt: true }, orderBy: { name: 'asc' } }),
    p.auditEvent.count(),
  ]);
  return JSON.stringify(parts, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

const KEYS = [
  'name', 'kind', 'capacity', 'force', 'order', 'adminRoles', 'adminLicense', 'fallbackToNextPreference', 'jit', 'idpGroup',
  'description', 'roles', 'licenses', 'autoProvision', 'enabled', 'caseInsensitive', 'confirm', 'mappings', 'mode', 'dryRun',
  'change', 'preferenceOrder', 'policy', 'redistributeManual', 'key', 'scope', 'version', 'op', 'id', 'patch', 'mapping',
];
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('bot-creator', 'citizen-developer', 'primary', 'addon', 'AAE_Admin', 'create', 'replace', true, false, -1, 0, 1e12, ''),
);
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 5 }),
  fc.dictionary(fc.constantFrom(...KEYS), fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 3 }), { maxKeys: 3 }),
);

const writes = adminRoutes.filter((r) => r.method !== 'get');

describe.each(writes.map((r) => ({ label: `${r.method.toUpperCase()} ${r.path}`, r })))('fuzz $label', ({ r }) => {
  it('never answers 5xx to random JSON, and a refused request writes nothing', async () => {
    const path = `/api/v1${r.path.replace(/:(\w+)/g, (_m, p: string) => (p === 'id' && r.path.startsWith('/mappings') ? sample['mappingId']! : sample[p]!))}`;
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const before = await fingerprint();
        const res = await request(h.app)[r.method](path).set('Authorization', `Bearer ${h.tokens.admin}`).set('Content-Type', 'application/json').send(JSON.stringify(b));
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
        expect(res.body.error === undefined || typeof res.body.error.message === 'string').toBe(true);
        if (res.status >= 400) expect(await fingerprint()).toBe(before);
      }),
      { numRuns: 25 },
    );
  });
});

describe('malformed bodies', () => {
  it.each(['{', '{"a":', 'nul', '\u0000'])('answers 400 to %j', async (raw) => {
    const before = await fingerprint();
    const res = await request(h.app).post('/api/v1/mappings').set('Authorization', `Bearer ${h.tokens.admin}`).set('Content-Type', 'application/json').send(raw);
    expect(res.status).toBe(400);
    expect(await fingerprint()).toBe(before);
  });
});
