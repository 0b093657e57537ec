/**
 * The saml_cache table, shared by every instance on the database (SPEC §5, §7):
 * - kind "request": AuthnRequest ids this SP issued (node-saml's CacheProvider), consumed once;
 * - kind "assertion": ids of accepted assertions, kept until their NotOnOrAfter plus skew (the ACS
 *   records them in the login's transaction: assertionRecordSql).
 */
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/clock.js';

export interface SamlCache {
  /** node-saml's view: save issued request ids, look them up. */
  readonly provider: CacheProvider;
  /** Atomically consumes an issued request id; false if unknown, expired or already used. */
  consumeRequest(id: string): Promise<boolean>;
  /** Atomically records an accepted assertion id; false if it was already accepted (a replay). */
  recordAssertion(id: string, expiresAt: Date): Promise<boolean>;
  purgeExpired(): Promise<number>;
}

/**
 * Records an accepted assertion id: one row back, or none when a live record of the id exists (a
 * replay). An expired row of the same id may be reused. The ACS runs it in the login's statement.
 */
export function assertionRecordSql(id: string, expiresAt: Date, now: Date): Prisma.Sql {
  return Prisma.sql`INSERT INTO saml_cache (kind, key, value, expires_at, created_at) VALUES ('assertion', ${id}, '', ${expiresAt}, ${now})
    ON CONFLICT (kind, key) DO UPDATE SET expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at
    WHERE saml_cache.expires_at <= ${now}
    RETURNING key`;
}

export function createSamlCache(db: Db, clock: Clock, requestTtlMs: number): SamlCache {
  const prisma = db.prisma;
  const provider: CacheProvider = {
    async saveAsync(key: string, value: string): Promise<CacheItem | null> {
      const createdAt = clock.now();
      await prisma.samlCacheEntry.create({ data: { kind: 'request', key, value, createdAt, expiresAt: new Date(createdAt.getTime() + requestTtlMs) } });
      return { value, createdAt: createdAt.getTime() };
    },
    async getAsync(key: string): Promise<string | null> {
      const row = await prisma.samlCacheEntry.findUnique({ where: { kind_key: { kind: 'request', key } } });
      return row && row.expiresAt.getTime() > clock.now().getTime() ? row.value : null;
    },
    // node-saml removes the id itself after its checks, but get-then-remove lets two concurrent
    // posts of one response both pass. Consumption is done by consumeRequest (one DELETE … RETURNING)
    // after validation instead; an id left by a refused response simply expires.
    async removeAsync(key: string | null): Promise<string | null> {
      return key;
    },
  };
  return {
    provider,
    async consumeRequest(id) {
      const rows = await prisma.$queryRaw<{ key: string }[]>`
        DELETE FROM saml_cache WHERE kind = 'request' AND key = ${id} AND expires_at > ${clock.now()} RETURNING key`;
      return rows.length === 1;
    },
    async recordAssertion(id, expiresAt) {
      const rows = await prisma.$queryRaw<{ key: string }[]>(assertionRecordSql(id, expiresAt, clock.now()));
      return rows.length === 1;
    },
    async purgeExpired() {
      const { count } = await prisma.samlCacheEntry.deleteMany({ where: { expiresAt: { lte: clock.now() } } });
      return count;
    },
  };
}
