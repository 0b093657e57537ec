/**
 * Replays the request sequences Entra ID and Okta send (test/fixtures/scim/{entra,okta}/*.json,
 * shapes copied from their provisioning documentation) against the real app, checking statuses,
 * bodies and, after the steps that say so, each user's allocations; every sequence ends with the
 * pool counts it expects.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../src/allocation/invariants.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';
import { holdings, seedLicenses, seedMapping, specLicenses } from '../../helpers/seed.js';
import { scimClient, type ScimClient } from '../../helpers/scim.js';

interface Step {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  status: number;
  save?: string;
  expect?: unknown;
  absent?: string[];
  allocations?: Record<string, string[]>;
}

interface Fixture {
  description: string;
  setup: { capacity: number; mappings: { idpGroup: string; licenses: string[] }[] };
  steps: Step[];
  seatsUsed: Record<string, number>;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/scim');
const fixtures = ['entra', 'okta'].flatMap((idp) =>
  readdirSync(path.join(ROOT, idp))
    .filter((f) => f.endsWith('.json'))
    .map((f) => [`${idp}/${f}`, JSON.parse(readFileSync(path.join(ROOT, idp, f), 'utf8')) as Fixture] as const),
);

function fill<T>(value: T, saved: Map<string, string>): T {
  const text = JSON.stringify(value).replace(/\{\{(\w+)\}\}/g, (_m, name: string) => {
    const v = saved.get(name);
    if (v === undefined) throw new Error(`fixture uses {{${name}}} before saving it`);
    return v;
  });
  return JSON.parse(text) as T;
}

/** Query values as the IdPs send them, spaces and quotes included, encoded for the wire. */
function encodePath(p: string): string {
  const [base, query] = p.split('?') as [string, string | undefined];
  return query === undefined ? base : `${base}?${new URLSearchParams(query).toString()}`;
}

describe.each(fixtures)('%s', (_file, fixture) => {
  let db: TestDb;
  let scim: ScimClient;
  const saved = new Map<string, string>();

  beforeAll(async () => {
    db = await createTestDb();
    scim = await scimClient(db, {}, 'idp');
    await seedLicenses(db, specLicenses(fixture.setup.capacity));
    for (const m of fixture.setup.mappings) await seedMapping(db, m);
  });
  afterAll(() => db.destroy());

  it.each(fixture.steps.map((s) => [s.name, s] as const))('%s', async (_name, rawStep) => {
    const step = fill(rawStep, saved);
    const url = encodePath(step.path);
    const res = await (step.method === 'GET'
      ? scim.get(url)
      : step.method === 'DELETE'
        ? scim.del(url)
        : scim[step.method === 'POST' ? 'post' : step.method === 'PUT' ? 'put' : 'patch'](url, step.body));
    expect(res.status, JSON.stringify(res.body)).toBe(step.status);
    if (step.expect) expect(res.body).toMatchObject(step.expect as object);
    for (const a of step.absent ?? []) expect(res.body).not.toHaveProperty(a);
    if (step.save) saved.set(step.save, (res.body as { id: string }).id);
    for (const [userName, keys] of Object.entries(step.allocations ?? {})) {
      const user = await db.prisma.user.findUniqueOrThrow({ where: { nameIdLower: userName.toLowerCase() } });
      expect(await holdings(db, user.id), userName).toEqual(keys);
    }
    expect(await checkInvariants(db.prisma)).toEqual([]);
  });

  it('ends with the seat counts it expects', async () => {
    const rows = await db.prisma.license.findMany({ where: { key: { in: Object.keys(fixture.seatsUsed) } } });
    expect(Object.fromEntries(rows.map((r) => [r.key, r.used]))).toEqual(fixture.seatsUsed);
  });
});
