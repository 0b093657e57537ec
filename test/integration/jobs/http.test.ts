/**
 * The redistribution endpoints of the admin API (SPEC §6) over real HTTP: start → 202 {id, status},
 * status, list, cancel, 409 naming the running job, 400 naming the bad field, bearer scopes.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redistributionsFeature } from '../../../src/admin/routes/redistributions.js';
import { createToken } from '../../../src/auth/tokens.js';
import { loadConfig } from '../../../src/config/index.js';
import { createApp } from '../../../src/http/app.js';
import { buildDeps, CONFIG_DIR } from '../../../src/main.js';
import { createMetrics } from '../../../src/http/metrics.js';
import { createLogger } from '../../../src/shared/logger.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';
import { seedLicenses, seedMapping, seedUser, specLicenses } from '../../helpers/seed.js';

let db: TestDb;
let app: ReturnType<typeof createApp>;
let deps: ReturnType<typeof buildDeps>;
let admin: string;
let read: string;

beforeAll(async () => {
  db = await createTestDb();
  await seedLicenses(db, specLicenses(5));
  await seedMapping(db, { idpGroup: 'CD', licenses: ['citizen-developer'] });
  await seedUser(db, 'a@x', ['CD']);
  const config = loadConfig({ env: { NODE_ENV: 'test', ALLOT_PUBLIC_URL: 'http://127.0.0.1' }, configDir: CONFIG_DIR });
  deps = buildDeps(config, db, createLogger({ level: 'error', format: 'json', silent: true }), systemClock, createMetrics({ defaultMetrics: false }));
  app = createApp(deps, [redistributionsFeature]);
  admin = (await createToken(db, 'ops', 'admin')).token;
  read = (await createToken(db, 'viewer', 'read')).token;
});
afterAll(async () => {
  await deps.jobs.stop();
  await db.destroy();
});

describe('POST /api/v1/redistributions', { timeout: 240_000 }, () => {
  it('starts a job: 202 {id, status}; GET shows {id, status, processed, total, summary}', async () => {
    const res = await request(app).post('/api/v1/redistributions').set('Authorization', `Bearer ${admin}`).send({ scope: { all: true }, dryRun: true });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'queued' });
    expect(res.headers['location']).toBe(`/api/v1/redistributions/${res.body.id}`);
    await deps.jobs.idle();
    const got = await request(app).get(`/api/v1/redistributions/${res.body.id}`).set('Authorization', `Bearer ${read}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: res.body.id, status: 'succeeded', processed: 1, total: 1, actor: 'admin:ops' });
    expect(got.body.summary.totals.reasons).toEqual({ ALLOCATED: 1 });
    const list = await request(app).get('/api/v1/redistributions?limit=5').set('Authorization', `Bearer ${read}`);
    expect(list.body.items.map((j: { id: string }) => j.id)).toContain(res.body.id);
  });

  it('names the bad field with 400', async () => {
    const res = await request(app).post('/api/v1/redistributions').set('Authorization', `Bearer ${admin}`).send({ scope: { everyone: true } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toMatch(/^scope/);
  });

  it('refuses a read token (403) and no token (401)', async () => {
    expect((await request(app).post('/api/v1/redistributions').set('Authorization', `Bearer ${read}`).send({ scope: { all: true } })).status).toBe(403);
    expect((await request(app).post('/api/v1/redistributions').send({ scope: { all: true } })).status).toBe(401);
  });

  it('answers 409 naming the running job, and cancels it', async () => {
    const running = await db.prisma.job.create({
      data: { kind: 'redistribution', actor: 'other', params: {}, status: 'running', heartbeat: new Date(Date.now() + 3_600_000), cursor: { owner: 'elsewhere' } },
    });
    const res = await request(app).post('/api/v1/redistributions').set('Authorization', `Bearer ${admin}`).send({ scope: { all: true } });
    expect(res.status).toBe(409);
    expect(res.body.error.details.runningJob).toBe(running.id);
    expect(res.body.error.message).toContain(running.id);
    const cancel = await request(app).post(`/api/v1/redistributions/${running.id}/cancel`).set('Authorization', `Bearer ${admin}`);
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
  });

  it('404 for an unknown job', async () => {
    const res = await request(app).get('/api/v1/redistributions/00000000-0000-0000-0000-000000000000').set('Authorization', `Bearer ${read}`);
    expect(res.status).toBe(404);
  });
});
