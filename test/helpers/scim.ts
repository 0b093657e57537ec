/**
 * The real app with the SCIM feature over a test database, a `scim` token, and a request
 * builder in the shape the IdPs use (Jackson-style `scim.post('/Users', body)`).
 */
import request from 'supertest';
import type { Express } from 'express';
import { createToken } from '../../src/auth/tokens.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import type { Db } from '../../src/db/client.js';
import { createApp, type AppDeps } from '../../src/http/app.js';
import { createMetrics } from '../../src/http/metrics.js';
import { buildDeps, CONFIG_DIR } from '../../src/main.js';
import { scimFeature } from '../../src/scim/routes.js';
import { systemClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';

export const SCIM_JSON = 'application/scim+json';

export interface ScimClient {
  readonly app: Express;
  readonly deps: AppDeps;
  readonly token: string;
  get(path: string): request.Test;
  del(path: string): request.Test;
  post(path: string, body: unknown): request.Test;
  put(path: string, body: unknown): request.Test;
  patch(path: string, body: unknown): request.Test;
}

export async function scimClient(db: Db, scim: Partial<Config['scim']> = {}, tokenName = 'entra'): Promise<ScimClient> {
  const base = loadConfig({ env: { NODE_ENV: 'test' }, configDir: CONFIG_DIR });
  const config: Readonly<Config> = { ...base, scim: { ...base.scim, ...scim } };
  const logger = createLogger({ level: 'error', format: 'json', silent: true });
  const deps = buildDeps(config, db, logger, systemClock, createMetrics({ defaultMetrics: false }));
  const app = createApp(deps, [scimFeature]);
  const { token } = await createToken(db, tokenName, 'scim');
  const auth = (t: request.Test): request.Test => t.set('Authorization', `Bearer ${token}`).set('Accept', SCIM_JSON);
  const withBody = (t: request.Test, body: unknown): request.Test => auth(t).set('Content-Type', SCIM_JSON).send(JSON.stringify(body));
  return {
    app,
    deps,
    token,
    get: (p) => auth(request(app).get(`/scim/v2${p}`)),
    del: (p) => auth(request(app).delete(`/scim/v2${p}`)),
    post: (p, b) => withBody(request(app).post(`/scim/v2${p}`), b),
    put: (p, b) => withBody(request(app).put(`/scim/v2${p}`), b),
    patch: (p, b) => withBody(request(app).patch(`/scim/v2${p}`), b),
  };
}

export const userBody = (userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  active: true,
  ...extra,
});

export const groupBody = (displayName: string, members: readonly string[] = [], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  displayName,
  members: members.map((value) => ({ value })),
  ...extra,
});

export const patchBody = (...ops: unknown[]): Record<string, unknown> => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: ops,
});

/** Polls until `check` returns true (no timing assertion: the test timeout is the only bound). */
export async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 200));
}

/**
 * Empties users, groups, allocations and jobs between tests of one file (a fresh database per
 * test costs seconds on PGlite); licenses, mappings and tokens stay. Audit rows are append-only
 * and stay too: tests look them up by user id.
 */
export async function resetScimData(db: Db): Promise<void> {
  await db.prisma.$transaction([
    db.prisma.allocation.deleteMany({}),
    db.prisma.license.updateMany({ data: { used: 0 } }),
    db.prisma.scimGroup.deleteMany({}),
    db.prisma.user.deleteMany({}),
    db.prisma.job.deleteMany({ where: { kind: 'scim.members' } }),
  ]);
}
