// Applies prisma/migrations/<name>/migration.sql in name order, one transaction each, under
// Prisma Migrate's advisory lock, and records them in Prisma's own `_prisma_migrations`
// table (same checksum), so `prisma migrate status` elsewhere agrees with us. The Prisma CLI
// cannot migrate here: its native schema engine is a download (see docs/decisions.md).
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');

/** One connection: node-postgres Client or a PGlite instance. */
export interface SqlRunner {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Multi-statement script, no parameters (simple query protocol). */
  exec(sql: string): Promise<void>;
}

interface QueryableConnection {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export function pgRunner(client: QueryableConnection): SqlRunner {
  return {
    query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
    exec: async (sql) => void (await client.query(sql)),
  };
}

export function pgliteRunner(db: QueryableConnection & { exec(sql: string): Promise<unknown> }): SqlRunner {
  return {
    query: async <T>(sql: string, params?: unknown[]) => (await db.query(sql, params)).rows as T[],
    exec: async (sql) => void (await db.exec(sql)),
  };
}

export interface LocalMigration {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<LocalMigration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

const LOCK_KEY = 72707369; // Prisma Migrate's own advisory lock key

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/** Applies pending migrations; returns the names applied by this call. */
export async function migrate(db: SqlRunner, log: (msg: string) => void = () => {}, dir = MIGRATIONS_DIR): Promise<string[]> {
  const local = await readMigrations(dir);
  // Several instances may start at once: the lock makes each migration apply exactly once.
  await db.query(`SELECT pg_advisory_lock(${LOCK_KEY})`);
  try {
    await db.exec(CREATE_TABLE);
    const rows = await db.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const failed = rows.filter((r) => r.finished_at == null && r.rolled_back_at == null);
    if (failed.length) {
      throw new Error(`migrate: failed migration(s) recorded in _prisma_migrations: ${failed.map((r) => r.migration_name).join(', ')}`);
    }
    const applied = new Map(rows.filter((r) => r.finished_at != null).map((r) => [r.migration_name, r.checksum]));
    const done: string[] = [];
    for (const m of local) {
      const sum = applied.get(m.name);
      if (sum !== undefined) {
        if (sum !== m.checksum) log(`migrate: warning: ${m.name} was modified after it was applied`);
        continue;
      }
      await db.exec('BEGIN');
      try {
        await db.exec(m.sql);
        await db.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await db.exec('COMMIT');
      } catch (e) {
        await db.exec('ROLLBACK').catch(() => {});
        throw new Error(`migrate: ${m.name} failed and was rolled back: ${(e as Error).message}`);
      }
      log(`migrate: applied ${m.name}`);
      done.push(m.name);
    }
    return done;
  } finally {
    await db.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
  }
}

/** Names of local migrations not yet applied (for /readyz); throws if the database is unreachable. */
export async function pendingMigrations(query: (sql: string) => Promise<Array<{ migration_name: string }>>, dir = MIGRATIONS_DIR): Promise<string[]> {
  const local = await readMigrations(dir);
  let applied: Set<string>;
  try {
    applied = new Set((await query(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`)).map((r) => r.migration_name));
  } catch (e) {
    if (/_prisma_migrations/.test((e as Error).message) && /does not exist/.test((e as Error).message)) return local.map((m) => m.name);
    throw e;
  }
  return local.filter((m) => !applied.has(m.name)).map((m) => m.name);
}
