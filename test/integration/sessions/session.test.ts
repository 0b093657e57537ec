import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionService, csrfMatches, SESSION_COOKIE, type SessionService } from '../../../src/sessions/service.js';
import { webAccess } from '../../../src/sessions/access.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';

let db: TestDb;
let now = new Date('2026-12-01T10:00:00Z');
const clock = { now: () => now };
let sessions: SessionService;
let userId: string;

/** Logs in and returns the Cookie header a browser would send back (supertest's agent drops Secure cookies over http). */
async function login(): Promise<string> {
  const res = await request(app()).post('/login').expect(200);
  return String(res.headers['set-cookie']).split(';')[0]!;
}

function app(): express.Express {
  const a = express();
  a.post('/login', async (_req, res) => {
    const s = await sessions.start(res, userId);
    res.json({ csrf: s.csrfToken });
  });
  a.get('/me', async (req, res) => {
    const s = await sessions.load(req);
    res.json(s ? { nameId: s.nameId, roles: s.roles } : null);
  });
  a.post('/logout', async (req, res) => {
    await sessions.end(req, res);
    res.end();
  });
  return a;
}

beforeAll(async () => {
  db = await createTestDb();
  sessions = createSessionService({ db, clock, ttlHours: 8, secure: true });
  const user = await db.prisma.user.create({ data: { nameId: 'fiona@example.com', nameIdLower: 'fiona@example.com', roles: ['AAE_Admin'] } });
  userId = user.id;
});
afterAll(async () => db?.destroy());

describe('database-backed browser sessions', () => {
  it('sets an httpOnly, Secure, SameSite=Lax cookie and stores only the hash of its secret', async () => {
    const res = await request(app()).post('/login').expect(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{40,}; Path=/; HttpOnly; SameSite=Lax; Max-Age=28800; Secure$`));
    const secret = decodeURIComponent(cookie.split(';')[0]!.split('=')[1]!);
    const rows = await db.prisma.webSession.findMany({ where: { userId } });
    expect(rows.some((r) => r.id === secret)).toBe(false);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('loads the session from the cookie, and refuses an unknown or expired one', async () => {
    const cookie = await login();
    expect((await request(app()).get('/me').set('Cookie', cookie)).body).toEqual({ nameId: 'fiona@example.com', roles: ['AAE_Admin'] });
    expect((await request(app()).get('/me').set('Cookie', `${SESSION_COOKIE}=forged`)).body).toBeNull();
    now = new Date(now.getTime() + 8 * 3_600_000 + 1);
    expect((await request(app()).get('/me').set('Cookie', cookie)).body).toBeNull();
    expect(await sessions.purgeExpired()).toBeGreaterThan(0);
    now = new Date('2026-12-01T10:00:00Z');
  });

  it('logout deletes the session row and clears the cookie', async () => {
    const cookie = await login();
    const before = await db.prisma.webSession.count();
    const res = await request(app()).post('/logout').set('Cookie', cookie).expect(200);
    expect(String(res.headers['set-cookie'])).toContain('Max-Age=0');
    expect(await db.prisma.webSession.count()).toBe(before - 1);
    expect((await request(app()).get('/me').set('Cookie', cookie)).body).toBeNull();
  });

  it('compares the CSRF token exactly', async () => {
    const res = await request(app()).post('/login');
    const session = { csrfToken: res.body.csrf as string } as Parameters<typeof csrfMatches>[0];
    expect(csrfMatches(session, res.body.csrf)).toBe(true);
    expect(csrfMatches(session, undefined)).toBe(false);
    expect(csrfMatches(session, `${res.body.csrf}x`)).toBe(false);
    expect(csrfMatches(session, 'x'.repeat(res.body.csrf.length))).toBe(false);
  });
});

describe('web access from roles', () => {
  it('grants admin, read-only or nothing', () => {
    expect(webAccess(['AAE_Basic', 'AAE_Admin'], ['AAE_Admin'], ['AAE_Auditor'])).toBe('admin');
    expect(webAccess(['AAE_Auditor'], ['AAE_Admin'], ['AAE_Auditor'])).toBe('read');
    expect(webAccess(['AAE_Basic'], ['AAE_Admin'], ['AAE_Auditor'])).toBeNull();
    expect(webAccess([], ['AAE_Admin'], [])).toBeNull();
  });
});
