/**
 * The admin API on a fresh database: the real app (features of the service), one token per
 * scope, and helpers to call it with supertest.
 */
import request from 'supertest';
import type { Express } from 'express';
import { createApp, type AppDeps } from '../../../src/http/app.js';
import { createMetrics } from '../../../src/http/metrics.js';
import { createLogger } from '../../../src/shared/logger.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createToken } from '../../../src/auth/tokens.js';
import { loadConfig } from '../../../src/config/index.js';
import { buildDeps, CONFIG_DIR } from '../../../src/main.js';
import { features } from '../../../src/features.js';
import type { JobService } from '../../../src/jobs/types.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';

export interface Harness {
  readonly db: TestDb;
  readonly app: Express;
  readonly deps: AppDeps;
  readonly tokens: { admin: string; read: string; scim: string };
  get(path: string, token?: string): request.Test;
  send(method: 'post' | 'put' | 'patch' | 'delete', path: string, body?: unknown, token?: string): request.Test;
  close(): Promise<void>;
}

export async function adminHarness(opts: { jobs?: JobService | 'real' } = {}): Promise<Harness> {
  const db = await createTestDb();
  const config = loadConfig({ env: { NODE_ENV: 'test' }, configDir: CONFIG_DIR });
  const logger = createLogger({ level: 'error', format: 'json', silent: true });
  // The job runner is another component: tests pass a stand-in that records what was asked, or none.
  const built = buildDeps(config, db, logger, systemClock, createMetrics({ defaultMetrics: false }));
  const deps: AppDeps = { ...built, jobs: opts.jobs === 'real' ? built.jobs : opts.jobs };
  const app = createApp(deps, features);
  const tokens = {
    admin: (await createToken(db, 'test-admin', 'admin')).token,
    read: (await createToken(db, 'test-read', 'read')).token,
    scim: (await createToken(db, 'test-scim', 'scim')).token,
  };
  return {
    db,
    app,
    deps,
    tokens,
    get: (path, token = tokens.admin) => request(app).get(path).set('Authorization', `Bearer ${token}`),
    send: (method, path, body, token = tokens.admin) => {
      const r = request(app)[method](path).set('Authorization', `Bearer ${token}`);
      return body === undefined ? r : r.send(body as object);
    },
    close: () => db.destroy(),
  };
}
