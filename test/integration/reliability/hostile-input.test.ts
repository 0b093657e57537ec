/**
 * Hostile input on every HTTP surface (issue 9), on PGlite and PostgreSQL: random methods, paths,
 * query strings and bodies on each admin API route (as the OpenAPI document lists them), the
 * redistribution routes, every SCIM route, the SAML ACS (random bytes, random form fields, valid
 * responses with bytes changed), the demo IdP and /admin. No answer is a 5xx, the app keeps
 * serving, and a refused request (4xx) writes nothing. One 4xx is not a refusal: a valid response
 * whose login the rules deny (a mutation in the unsigned KeyInfo leaves a response valid, and the
 * admin fuzz may have disabled the mapping and set denyUnmapped) answers 403 and, as issue 5 asks,
 * writes exactly its `login.denied` audit row and the assertion's replay record.
 */
import fc from 'fast-check';
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../../src/auth/tokens.js';
import { configSchema } from '../../../src/config/schema.js';
import { features } from '../../../src/features.js';
import { createApp } from '../../../src/http/app.js';
import { createMetrics } from '../../../src/http/metrics.js';
import { buildDeps } from '../../../src/main.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createTestIdp, PUBLIC_URL, TARGET } from '../../helpers/idp.js';
import { seedLicenses, seedMapping, seedUser, specLicenses } from '../../helpers/seed.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';

const RUNS = 8;
const idp = createTestIdp();
const silent = createLogger({ level: 'error', format: 'json', silent: true });

function appOn(db: TestDb, withIdp: boolean): Express {
  const config = configSchema.parse({
    env: 'test',
    publicUrl: PUBLIC_URL,
    database: { dataDir: 'memory://' },
    log: {},
    saml: { sp: {}, idp: withIdp ? { entityId: TARGET.idpEntityId, ssoUrl: TARGET.ssoUrl, certs: [idp.keys.cert] } : {}, rateLimit: { windowMs: 60_000, max: 1_000_000 } },
    session: {},
    jobs: { pollIntervalMs: 600_000 },
    demo: { enabled: !withIdp },
    bootstrap: {},
  });
  return createApp(buildDeps(config, db, silent, systemClock, createMetrics({ defaultMetrics: false })), features);
}

/** Everything a request could write; compared around every refused one. */
async function fingerprint(db: TestDb): Promise<unknown[]> {
  const p = db.prisma;
  const parts = await Promise.all([
    p.license.findMany({ orderBy: { key: 'asc' }, omit: { updatedAt: true } }),
    p.settings.findMany({ omit: { updatedAt: true } }),
    p.groupMapping.findMany({ orderBy: { id: 'asc' } }),
    p.allocation.findMany({ orderBy: [{ userId: 'asc' }, { licenseKey: 'asc' }], omit: { createdAt: true } }),
    p.user.findMany({ orderBy: { id: 'asc' }, select: { id: true, active: true, nameId: true, roles: true } }),
    p.membership.count(),
    p.scimGroup.count(),
    p.scimGroupMember.count(),
    p.apiToken.findMany({ select: { name: true, revokedAt: true }, orderBy: { name: 'asc' } }),
    p.job.count(),
    p.auditEvent.count(),
    p.samlCacheEntry.count({ where: { kind: 'assertion' } }),
    p.webSession.count(),
  ]);
  return JSON.parse(JSON.stringify(parts, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as unknown[];
}
/** Positions in the fingerprint of the audit rows and the assertion records (counts). */
const AUDIT_ROWS = 10;
const ASSERTION_RECORDS = 11;
const DENIED_LOGIN = /Reason: <code>(NO_MAPPING|DEACTIVATED|GROUPS_OVERAGE|NOT_PROVISIONED)<\/code>/;

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

const junk = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('..', '%00', '%', "' OR 1=1 --", '../../etc/passwd', 'ä'.repeat(300), '-1', '0', '1e309', 'null'));
const jsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(
    fc.constantFrom('name', 'kind', 'capacity', 'order', 'idpGroup', 'licenses', 'roles', 'scope', 'key', 'userName', 'active', 'members', 'Operations', 'schemas', 'displayName', 'op', 'path', 'value', 'policy', 'dryRun'),
    fc.oneof(fc.jsonValue({ maxDepth: 2 }), junk, fc.constantFrom('bot-creator', 'primary', 'addon', 'replace', 'Remove', 'members[value eq "x"]', true, false, -1, 2 ** 31)),
    { maxKeys: 5 },
  ),
);
const rawBody = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  jsonBody.map((j) => Buffer.from(JSON.stringify(j) ?? '')),
);
const contentType = fc.constantFrom('application/json', 'application/scim+json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16');
const query = fc.dictionary(fc.constantFrom('limit', 'cursor', 'filter', 'startIndex', 'count', 'attributes', 'nameId', 'since', 'status', 'actor', 'sortBy'), junk, { maxKeys: 3 });

interface Harness {
  readonly db: TestDb;
  readonly app: Express;
  readonly admin: string;
  readonly scim: string;
  readonly userId: string;
  readonly mappingId: string;
}

async function send(h: Harness, method: Method, path: string, opts: { token?: string; type?: string; body?: Buffer; query?: Record<string, string> }): Promise<request.Response> {
  let r = request(h.app)[method](path);
  if (opts.query) r = r.query(opts.query);
  if (opts.token) r = r.set('Authorization', `Bearer ${opts.token}`);
  // The bytes as they are: superagent would serialize a Buffer by its content type (JSON.stringify
  // gives {"type":"Buffer",…}, a form type gives 0=…&1=…), which is not the body meant.
  if (opts.body !== undefined) r = r.set('Content-Type', opts.type ?? 'application/json').serialize((b: unknown) => b as string).send(opts.body);
  return r;
}

/** The property every fuzzed request must keep. */
async function checked(h: Harness, label: string, call: () => Promise<request.Response>): Promise<request.Response> {
  const before = await fingerprint(h.db);
  const res = await call();
  expect(res.status, `${label} → ${res.status} ${res.text.slice(0, 200)}`).toBeLessThan(500);
  expect(res.text).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
  if (res.status < 400) return res;
  const after = await fingerprint(h.db);
  if (res.status === 403 && DENIED_LOGIN.test(res.text)) {
    // A denied login, not a refusal: its audit row and replay record, and nothing else.
    expect([after[AUDIT_ROWS], after[ASSERTION_RECORDS]], `${label} → denied login`).toEqual([Number(before[AUDIT_ROWS]) + 1, Number(before[ASSERTION_RECORDS]) + 1]);
    const [audit] = await h.db.prisma.auditEvent.findMany({ orderBy: { id: 'desc' }, take: 1 });
    expect(audit?.action).toBe('login.denied');
    after[AUDIT_ROWS] = before[AUDIT_ROWS];
    after[ASSERTION_RECORDS] = before[ASSERTION_RECORDS];
  }
  expect(after, `${label} → ${res.status} wrote rows`).toEqual(before);
  return res;
}

describe('hostile input on every route', () => {
  let h: Harness;
  let adminPaths: { method: Method; path: string }[] = [];

  beforeAll(async () => {
    const db = await createTestDb();
    await seedLicenses(db, specLicenses(3));
    const mappingId = await seedMapping(db, { idpGroup: 'Engineers', licenses: ['bot-creator'] });
    const userId = await seedUser(db, 'fiona@example.com', ['Engineers']);
    const app = appOn(db, true);
    const admin = (await createToken(db, 'fuzz-admin', 'admin')).token;
    const scim = (await createToken(db, 'fuzz-scim', 'scim')).token;
    h = { db, app, admin, scim, userId, mappingId };
    const doc = (await request(app).get('/api/v1/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    adminPaths = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => ({ method: m as Method, path: p })));
  }, 120_000);
  afterAll(async () => h?.db.destroy());

  it('finds the admin routes in the OpenAPI document', () => {
    expect(adminPaths.length).toBeGreaterThan(15);
    expect(adminPaths).toContainEqual({ method: 'post', path: '/api/v1/users/{id}/licenses' });
  });

  it('never fails with a 5xx on the admin API, with or without a valid token', async () => {
    const param = fc.oneof(junk, fc.constantFrom('bot-creator', 'fiona@example.com', 'no-such-thing'), fc.constant('<id>'));
    for (const route of [...adminPaths, { method: 'post' as const, path: '/api/v1/redistributions' }, { method: 'get' as const, path: '/api/v1/redistributions/{id}' }, { method: 'post' as const, path: '/api/v1/redistributions/{id}/cancel' }]) {
      await fc.assert(
        fc.asyncProperty(param, query, rawBody, contentType, fc.boolean(), async (p, q, body, type, authed) => {
          // Never revoke the tokens the fuzzer itself uses.
          const value = route.path.includes('/tokens/') ? 'no-such-token' : p === '<id>' ? (route.path.startsWith('/api/v1/mappings') ? h.mappingId : h.userId) : p;
          const path = route.path.replace(/\{\w+\}/g, encodeURIComponent(value));
          await checked(h, `${route.method.toUpperCase()} ${path}`, () =>
            send(h, route.method, path, { ...(authed ? { token: h.admin } : {}), query: q, ...(route.method === 'get' ? {} : { body, type }) }),
          );
        }),
        { numRuns: RUNS },
      );
    }
  }, 600_000);

  it('never fails with a 5xx on SCIM', async () => {
    const routes: [Method, string][] = [
      ['get', '/ServiceProviderConfig'], ['get', '/Schemas'], ['get', '/Schemas/{id}'], ['get', '/ResourceTypes'], ['get', '/ResourceTypes/{id}'],
      ['get', '/Users'], ['post', '/Users'], ['get', '/Users/{id}'], ['put', '/Users/{id}'], ['patch', '/Users/{id}'], ['delete', '/Users/{id}'],
      ['get', '/Groups'], ['post', '/Groups'], ['get', '/Groups/{id}'], ['put', '/Groups/{id}'], ['patch', '/Groups/{id}'], ['delete', '/Groups/{id}'],
    ];
    const patchBody = fc
      .record({
        schemas: fc.constantFrom(['urn:ietf:params:scim:api:messages:2.0:PatchOp'], [], 'x'),
        Operations: fc.array(fc.record({ op: fc.constantFrom('add', 'Replace', 'remove', 'bogus', 1), path: fc.oneof(junk, fc.constantFrom('members', 'active', 'members[value eq "x"]', 'name.givenName', 'emails[type eq "work"].value')), value: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }), { maxLength: 3 }),
      })
      .map((j) => Buffer.from(JSON.stringify(j)));
    for (const [method, template] of routes) {
      await fc.assert(
        fc.asyncProperty(fc.oneof(junk, fc.constant('<user>')), query, fc.oneof(rawBody, patchBody), contentType, fc.boolean(), async (p, q, body, type, authed) => {
          const path = `/scim/v2${template.replace('{id}', encodeURIComponent(p === '<user>' ? h.userId : p))}`;
          // A DELETE of the seeded user would succeed and is no refusal; keep it for GETs only.
          if (method === 'delete' && p === '<user>') return;
          await checked(h, `${method.toUpperCase()} ${path}`, () => send(h, method, path, { ...(authed ? { token: h.scim } : {}), query: q, ...(method === 'get' ? {} : { body, type }) }));
        }),
        { numRuns: RUNS },
      );
    }
  }, 600_000);

  it('never fails with a 5xx on the ACS: random bytes, random form fields, valid responses with bytes changed', async () => {
    const minted = await Promise.all(Array.from({ length: 4 }, (_, i) => idp.mint({ nameId: `mutant${i}@example.com`, groups: ['Engineers'] })));
    // The one 4xx that writes: a valid response for a user no mapping lets in.
    const unmapped = await idp.mint({ nameId: 'nobody@example.com', groups: ['Nobody'] });
    const denied = await checked(h, 'POST /saml/acs (denied login)', () =>
      request(h.app).post('/saml/acs').type('form').send(new URLSearchParams({ SAMLResponse: unmapped.base64 }).toString()),
    );
    expect(denied.status, denied.text.slice(-200)).toBe(403);
    const form = fc.dictionary(fc.constantFrom('SAMLResponse', 'RelayState', 'SAMLRequest', 'samlresponse', 'x'), fc.oneof(junk, fc.base64String({ maxLength: 400 }), fc.string().map((s) => Buffer.from(`<samlp:Response>${s}`).toString('base64'))), { maxKeys: 3 });
    const mutation = fc.record({ which: fc.nat(minted.length - 1), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) });
    const acs = fc.oneof(
      rawBody.map((b) => ({ body: b, type: 'application/x-www-form-urlencoded' })),
      form.map((f) => ({ body: Buffer.from(new URLSearchParams(f).toString()), type: 'application/x-www-form-urlencoded' })),
      mutation.map(({ which, at, bytes }) => {
        const xml = Buffer.from(minted[which]!.xml);
        const pos = at % xml.length;
        Buffer.from(bytes).copy(xml, pos);
        return { body: Buffer.from(new URLSearchParams({ SAMLResponse: xml.toString('base64') }).toString()), type: 'application/x-www-form-urlencoded' };
      }),
    );
    await fc.assert(
      fc.asyncProperty(acs, contentType, fc.boolean(), async (a, type, keepType) => {
        await checked(h, 'POST /saml/acs', () => send(h, 'post', '/saml/acs', { body: a.body, type: keepType ? a.type : type }));
      }),
      { numRuns: RUNS * 10 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/saml/login', '/saml/metadata', '/me', '/', '/saml/logout'), query, async (path, q) => {
        await checked(h, `GET ${path}`, () => send(h, path === '/saml/logout' ? 'post' : 'get', path, { query: q }));
      }),
      { numRuns: RUNS * 2 },
    );
  }, 600_000);

  it('never fails with a 5xx on /admin and unknown paths', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<Method>('get', 'post', 'put', 'delete'), fc.oneof(junk, fc.constantFrom('', 'users', 'mappings', 'audit', 'api')), rawBody, contentType, async (method, sub, body, type) => {
        const path = `/admin/${encodeURIComponent(sub)}`;
        await checked(h, `${method.toUpperCase()} ${path}`, () => send(h, method, path, method === 'get' ? {} : { body, type }));
      }),
      { numRuns: RUNS * 2 },
    );
  }, 300_000);

  it('still serves after all of it', async () => {
    expect((await request(h.app).get('/healthz')).status).toBe(200);
    expect((await request(h.app).get('/readyz')).status).toBe(200);
    expect((await request(h.app).get('/api/v1/licenses').set('Authorization', `Bearer ${h.admin}`)).status).toBe(200);
  });
});

describe('hostile input on the demo identity provider', () => {
  let h: Harness;
  beforeAll(async () => {
    const db = await createTestDb();
    const app = appOn(db, false);
    h = { db, app, admin: '', scim: '', userId: '', mappingId: '' };
    // The demo seeds its data in the background; wait until the page answers with it.
    expect((await request(app).get('/demo/idp')).status).toBe(200);
  }, 120_000);
  afterAll(async () => h?.db.destroy());

  it('never fails with a 5xx on /demo/idp and its login form', async () => {
    const form = fc.dictionary(fc.constantFrom('user', 'groups', 'SAMLRequest', 'RelayState', 'x'), fc.oneof(junk, fc.constantFrom('fiona@example.com', 'Dev1, Dev2'), fc.base64String({ maxLength: 200 })), { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(form, query, fc.boolean(), rawBody, async (f, q, asForm, raw) => {
        await checked(h, 'GET /demo/idp', () => send(h, 'get', '/demo/idp', { query: q }));
        const body = asForm ? Buffer.from(new URLSearchParams(f).toString()) : raw;
        const res = await send(h, 'post', '/demo/idp/login', { body, type: 'application/x-www-form-urlencoded' });
        expect(res.status, res.text.slice(0, 200)).toBeLessThan(500);
      }),
      { numRuns: RUNS * 3 },
    );
    expect((await request(h.app).get('/healthz')).status).toBe(200);
  }, 300_000);
});
