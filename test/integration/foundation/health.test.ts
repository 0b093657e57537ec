import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/client.js';
import { createTestApp } from '../../helpers/app.js';
import { createTestDb, usingPostgres, type TestDb } from '../../helpers/test-db.js';

describe('health, readiness and the fallback handlers', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => db?.destroy());

  it('/healthz answers 200 while the process runs', async () => {
    const res = await request(createTestApp(db).app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 naming the database kind when every migration is applied', async () => {
    const res = await request(createTestApp(db).app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', database: usingPostgres() ? 'postgres' : 'pglite' });
  });

  it('/readyz answers 503 listing a migration that is not applied', async () => {
    const [last] = await db.prisma.$queryRawUnsafe<Array<{ migration_name: string }>>(
      'SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name DESC LIMIT 1',
    );
    await db.prisma.$executeRawUnsafe('DELETE FROM "_prisma_migrations" WHERE migration_name = $1', last!.migration_name);
    const res = await request(createTestApp(db).app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', reason: 'migrations pending', pending: [last!.migration_name] });
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await request(createTestApp(db).app).get('/no/such/route');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(typeof res.body.error.message).toBe('string');
  });

  it('answers a crash with a JSON 500 that carries no stack or internal message', async () => {
    const t = createTestApp(db, [
      (app) =>
        app.get('/boom', async () => {
          throw new Error('secret internal detail at /srv/allot/src/x.ts:12');
        }),
    ]);
    const res = await request(t.app).get('/boom');
    expect(res.status).toBe(500);
    // The request id lets an operator find the logged cause.
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'internal error', details: { requestId: res.headers['x-request-id'] } } });
    expect(res.text).not.toContain('secret internal detail');
    expect(t.logText()).toContain('secret internal detail');
  });

  it('/metrics exposes the request histogram by route template and status', async () => {
    const t = createTestApp(db);
    await request(t.app).get('/healthz');
    const res = await request(t.app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/allot_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1/);
  });
  it('/metrics reports seats used and capacity per license as the database holds them', async () => {
    await db.prisma.license.create({ data: { key: 'bot-creator', name: 'Bot Creator', kind: 'primary', capacity: 20 } });
    await db.prisma.$executeRaw`UPDATE license SET used = 7 WHERE key = 'bot-creator'`;
    const res = await request(createTestApp(db).app).get('/metrics').expect(200);
    expect(res.text).toContain('allot_seats_used{license="bot-creator"} 7');
    expect(res.text).toContain('allot_seats_capacity{license="bot-creator"} 20');
    await db.prisma.$executeRaw`UPDATE license SET used = 0 WHERE key = 'bot-creator'`;
    await db.prisma.license.delete({ where: { key: 'bot-creator' } });
  });
});

describe('/readyz when the database is unreachable', () => {
  it('answers 503 and logs why', async () => {
    const db = usingPostgres()
      ? // A server that is not there: nothing listens on port 1.
        await createDb({ url: 'postgresql://postgres@127.0.0.1:1/allot', dataDir: 'unused' })
      : await createTestDb();
    if (!usingPostgres()) await db.close();
    try {
      const t = createTestApp(db);
      const res = await request(t.app).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'unavailable', reason: 'database unreachable' });
      expect(t.logLines().some((l) => l['message'] === 'readiness check failed')).toBe(true);
    } finally {
      if (usingPostgres()) await db.close();
    }
  });
});
