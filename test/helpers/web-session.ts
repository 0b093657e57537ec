/**
 * Browser sessions for tests of the admin page and the session principal: the real session
 * service writes the real database row; only the Set-Cookie sink is a stand-in for Express's
 * Response, so no test-only login route exists in the product.
 */
import type { Response } from 'express';
import { loadConfig, type Config } from '../../src/config/index.js';
import { buildDeps, CONFIG_DIR } from '../../src/main.js';
import type { Db } from '../../src/db/client.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createLogger } from '../../src/shared/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import type { SessionService } from '../../src/sessions/service.js';

export function testConfig(env: Record<string, string> = {}): Readonly<Config> {
  return loadConfig({ env: { NODE_ENV: 'test', LOG_LEVEL: 'error', ...env }, configDir: CONFIG_DIR });
}

/** The service's own dependencies (buildDeps), jobs included; stop `jobs` after the test. */
export function testDeps(db: Db, config: Readonly<Config> = testConfig()): ReturnType<typeof buildDeps> {
  const logger = createLogger({ level: 'error', format: 'json', silent: true });
  return buildDeps(config, db, logger, systemClock, createMetrics({ defaultMetrics: false }));
}

export interface WebLogin {
  /** `allot_session=<secret>`, as a browser sends it back. */
  readonly cookie: string;
  /** The cookie's raw value, for a browser context. */
  readonly secret: string;
  readonly csrfToken: string;
}

export async function startWebSession(sessions: SessionService, userId: string): Promise<WebLogin> {
  const headers: string[] = [];
  const sink = { append: (_name: string, value: string) => headers.push(value) } as unknown as Response;
  const view = await sessions.start(sink, userId);
  const cookie = headers[0]!.split(';')[0]!;
  return { cookie, secret: decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1)), csrfToken: view.csrfToken };
}

export async function createUser(db: Db, nameId: string, roles: string[], active = true): Promise<string> {
  const u = await db.prisma.user.create({ data: { nameId, nameIdLower: nameId.toLowerCase(), roles, active } });
  return u.id;
}
