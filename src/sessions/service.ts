/**
 * Browser sessions stored in the database (table web_session), so several allot instances share
 * them. The cookie carries a random secret; only its sha256 is stored. Each session has its own
 * CSRF token, sent back by the admin page in the X-CSRF-Token header of state-changing requests.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/clock.js';
import { readCookie, serializeCookie } from './cookies.js';

export const SESSION_COOKIE = 'allot_session';

export interface SessionView {
  readonly id: string;
  readonly userId: string;
  readonly nameId: string;
  readonly roles: readonly string[];
  readonly active: boolean;
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

export type SessionUser = Pick<SessionView, 'nameId' | 'roles' | 'active'>;

/** A new session not written yet: the caller runs `insert` in its own statement (the ACS: with the login's decision). */
export interface PreparedSession {
  readonly insert: Prisma.Sql;
  view(user: SessionUser): SessionView;
  /** Call once the statement that ran `insert` has committed. */
  setCookie(res: Response): void;
}

export interface SessionService {
  /**
   * Creates a session for the user and sets the cookie on the response. A caller that has just
   * read the user (the ACS, inside its decision) passes `user` and saves a query.
   */
  start(res: Response, userId: string, user?: SessionUser): Promise<SessionView>;
  /**
   * A session whose row the caller inserts itself, e.g. the ACS inside the login's decision
   * transaction (so the row commits with the login); `setCookie` once it has committed.
   */
  prepare(userId: string): PreparedSession;
  /** The request's live session, or null (missing, unknown, expired). */
  load(req: Request): Promise<SessionView | null>;
  /** Deletes the request's session and clears the cookie. */
  end(req: Request, res: Response): Promise<void>;
  /** Removes expired sessions; returns how many. */
  purgeExpired(): Promise<number>;
}

export interface SessionOptions {
  readonly db: Db;
  readonly clock: Clock;
  readonly ttlHours: number;
  /** Secure cookies when the public URL is https. */
  readonly secure: boolean;
}

const hash = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export function createSessionService({ db, clock, ttlHours, secure }: SessionOptions): SessionService {
  const ttlMs = ttlHours * 3_600_000;
  const newSession = (userId: string): PreparedSession => {
    // One buffer for the cookie secret and the CSRF token: one call into the CSPRNG.
    const random = randomBytes(56);
    const secret = random.subarray(0, 32).toString('base64url');
    const csrfToken = random.subarray(32).toString('base64url');
    const id = hash(secret);
    const expiresAt = new Date(clock.now().getTime() + ttlMs);
    const insert = Prisma.sql`INSERT INTO web_session (id, user_id, data, csrf_token, expires_at)
      VALUES (${id}, ${userId}::uuid, '{}', ${csrfToken}, ${expiresAt})`;
    const view = (user: SessionUser): SessionView => ({ id, userId, nameId: user.nameId, roles: user.roles, active: user.active, csrfToken, expiresAt });
    const cookie = serializeCookie(SESSION_COOKIE, secret, { maxAgeSeconds: ttlMs / 1000, secure });
    return { insert, view, setCookie: (res) => void res.append('Set-Cookie', cookie) };
  };
  return {
    async start(res, userId, known) {
      const s = newSession(userId);
      await db.prisma.$executeRaw(s.insert);
      s.setCookie(res);
      return s.view(known ?? (await db.prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { nameId: true, roles: true, active: true } })));
    },
    prepare: newSession,
    async load(req) {
      const secret = readCookie(req.get('cookie'), SESSION_COOKIE);
      if (!secret || secret.length > 200) return null;
      const row = await db.prisma.webSession.findUnique({
        where: { id: hash(secret) },
        include: { user: { select: { nameId: true, roles: true, active: true } } },
      });
      if (!row || row.expiresAt.getTime() <= clock.now().getTime()) return null;
      return { id: row.id, userId: row.userId, ...row.user, csrfToken: row.csrfToken, expiresAt: row.expiresAt };
    },
    async end(req, res) {
      const secret = readCookie(req.get('cookie'), SESSION_COOKIE);
      if (secret) await db.prisma.webSession.deleteMany({ where: { id: hash(secret) } });
      res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, secure }));
    },
    async purgeExpired() {
      const { count } = await db.prisma.webSession.deleteMany({ where: { expiresAt: { lte: clock.now() } } });
      return count;
    },
  };
}

/** Constant-time comparison of the CSRF header with the session's token. */
export function csrfMatches(session: SessionView, header: string | undefined): boolean {
  if (!header) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(header);
  return a.length === b.length && timingSafeEqual(a, b);
}
