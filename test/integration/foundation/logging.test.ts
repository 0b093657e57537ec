import { PassThrough } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/shared/logger.js';
import { createTestApp } from '../../helpers/app.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';

const BEARER = 'allot_Zm9vYmFyLXRoaXMtaXMtYS1zZWNyZXQtdG9rZW4';
const SAML_RESPONSE = 'PHNhbWxwOlJlc3BvbnNlIElEPSJzZWNyZXQtYXNzZXJ0aW9uIj4=';
const PASSWORD = 'correct-horse-battery-staple';
const DB_PASSWORD = 'hunter2-db-password';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db?.destroy());

describe('log lines of a request', () => {
  it('all carry the request id, including lines written after an await', async () => {
    const t = createTestApp(db, [
      (app, { logger }) =>
        app.get('/work', async (_req, res) => {
          logger.info('step one');
          await db.ping();
          await new Promise((r) => setTimeout(r, 1));
          logger.warn('step two');
          res.json({ ok: true });
        }),
    ]);
    const res = await request(t.app).get('/work').set('X-Request-Id', 'req-42.a_b');
    expect(res.headers['x-request-id']).toBe('req-42.a_b');
    const lines = t.logLines().filter((l) => ['step one', 'step two', 'request'].includes(String(l['message'])));
    expect(lines.map((l) => l['message'])).toEqual(['step one', 'step two', 'request']);
    for (const line of lines) expect(line['requestId']).toBe('req-42.a_b');
  });

  it('give concurrent requests their own ids', async () => {
    const t = createTestApp(db, [
      (app, { logger }) =>
        app.get('/slow/:n', async (req, res) => {
          await new Promise((r) => setTimeout(r, Number(req.params['n'])));
          logger.info('done', { n: req.params['n'] });
          res.end();
        }),
    ]);
    await Promise.all([
      request(t.app).get('/slow/20').set('X-Request-Id', 'slow'),
      request(t.app).get('/slow/1').set('X-Request-Id', 'fast'),
    ]);
    const done = t.logLines().filter((l) => l['message'] === 'done');
    expect(done.map((l) => [l['n'], l['requestId']]).sort()).toEqual([
      ['1', 'fast'],
      ['20', 'slow'],
    ]);
  });

  it('replace an unsafe incoming request id with a generated one', async () => {
    const t = createTestApp(db);
    const res = await request(t.app).get('/healthz').set('X-Request-Id', 'evil id with spaces and "quotes"');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.logText()).not.toContain('evil');
  });
});

describe('no secrets in logs', () => {
  it('redacts bearer tokens, SAMLResponse, passwords and URL credentials, at any depth', async () => {
    const t = createTestApp(db, [
      (app, { logger }) =>
        app.post('/login', async (req, res) => {
          logger.info('incoming', {
            headers: { authorization: req.get('authorization'), cookie: 'sid=abc' },
            body: { SAMLResponse: SAML_RESPONSE, RelayState: '/admin' },
            user: { name: 'fiona', password: PASSWORD },
            database: `postgresql://allot:${DB_PASSWORD}@db:5432/allot`,
          });
          logger.error(`could not connect to postgresql://allot:${DB_PASSWORD}@db:5432/allot`);
          res.end();
        }),
    ]);
    await request(t.app)
      .post('/login')
      .set('Authorization', `Bearer ${BEARER}`)
      .type('form')
      .send({ SAMLResponse: SAML_RESPONSE });
    const text = t.logText();
    for (const secret of [BEARER, SAML_RESPONSE, PASSWORD, DB_PASSWORD, 'sid=abc']) expect(text).not.toContain(secret);
    const incoming = t.logLines().find((l) => l['message'] === 'incoming') as Record<string, Record<string, unknown>>;
    expect(incoming['headers']).toEqual({ authorization: '[redacted]', cookie: '[redacted]' });
    expect(incoming['body']).toEqual({ SAMLResponse: '[redacted]', RelayState: '/admin' });
    expect(incoming['user']).toEqual({ name: 'fiona', password: '[redacted]' });
    expect(incoming['database']).toBe('postgresql://allot:***@db:5432/allot');
  });

  it('redacts top-level secret keys and error objects keep only name and message', () => {
    let text = '';
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => (text += c.toString()));
    const logger = createLogger({ level: 'info', format: 'pretty', stream });
    const error = Object.assign(new Error('boom'), { config: { token: BEARER } });
    logger.info('token created', { token: BEARER, privateKey: '-----BEGIN PRIVATE KEY-----', error });
    expect(text).toContain('token created');
    expect(text).toContain('[redacted]');
    expect(text).toContain('boom');
    expect(text).not.toContain(BEARER);
    expect(text).not.toContain('BEGIN PRIVATE KEY');
  });

  it('writes JSON lines in the json format', () => {
    let text = '';
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => (text += c.toString()));
    createLogger({ level: 'info', format: 'json', stream }).info('hello', { a: 1 });
    const line = JSON.parse(text.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', message: 'hello', a: 1 });
    expect(typeof line['timestamp']).toBe('string');
  });
});
