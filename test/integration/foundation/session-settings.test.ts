/**
 * Settings of allot's own PostgreSQL sessions (src/db/client.ts): JIT compilation off, since its
 * statements are all short and a large table's cost estimates made one of a few ms spend ~0.25 s
 * compiling; options given in the URL are kept; raw-SQL transactions (sql-tx.ts) are bounded by
 * the transaction timeout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../../src/db/client.js';
import { isDatabaseUnavailable } from '../../../src/db/errors.js';
import { createTestDb, usingPostgres, type TestDb } from '../../helpers/test-db.js';

describe.skipIf(!usingPostgres())('PostgreSQL session settings', () => {
  const open: (Db | TestDb)[] = [];
  // Newest first: a client of a test database closes before that database is dropped.
  afterEach(async () => {
    for (const db of open.splice(0).reverse()) await ('destroy' in db ? db.destroy() : db.close());
  });

  it('turns JIT off on every connection, for Prisma queries and raw-SQL transactions', async () => {
    const db = await createTestDb();
    open.push(db);
    const [viaPrisma] = await db.prisma.$queryRaw<{ jit: string }[]>`SELECT current_setting('jit') AS jit`;
    expect(viaPrisma?.jit).toBe('off');
    const viaRaw = await db.sqlTransaction!((tx) => tx.$queryRaw<{ jit: string }[]>`SELECT current_setting('jit') AS jit`);
    expect(viaRaw[0]?.jit).toBe('off');
  });

  it('keeps the options of the database URL', async () => {
    const base = await createTestDb();
    open.push(base);
    const url = new URL(base.url!);
    url.searchParams.set('options', '-c statement_timeout=12345');
    const db = await createDb({ url: url.toString(), dataDir: 'unused' });
    open.push(db);
    const [row] = await db.prisma.$queryRaw<{ timeout: string; jit: string }[]>`SELECT current_setting('statement_timeout') AS timeout, current_setting('jit') AS jit`;
    expect(row).toEqual({ timeout: '12345ms', jit: 'off' });
  });

  it('bounds a raw-SQL transaction by the transaction timeout: a lock wait past it fails, rolls back and frees the connection', async () => {
    const base = await createTestDb();
    open.push(base);
    const db = await createDb({ url: base.url!, dataDir: 'unused', poolSize: 2, transactionTimeoutMs: 300 });
    open.push(db);
    await base.prisma.$executeRaw`INSERT INTO license (key, name, kind, capacity, updated_at) VALUES ('l1', 'L1', 'primary', 5, now())`;
    // Another session holds the pool row; the bounded transaction writes first, then waits for it.
    const holder = await base.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT key FROM license WHERE key = 'l1' FOR UPDATE`;
      const started = Date.now();
      const failure = await db.sqlTransaction!(async (t) => {
        await t.$executeRaw`INSERT INTO app_user (id, name_id, name_id_lower, roles, updated_at) VALUES (gen_random_uuid(), 'held@x', 'held@x', '{}', now())`;
        await t.$executeRaw`UPDATE license SET capacity = 6 WHERE key = 'l1'`;
      }).catch((e: unknown) => e);
      return { failure, ms: Date.now() - started };
    }, { timeout: 10_000 });
    expect((holder.failure as { code?: string }).code).toBe('57014');
    expect(isDatabaseUnavailable(holder.failure)).toBe(true);
    expect(holder.ms).toBeLessThan(5_000);
    const users = await base.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM app_user WHERE name_id = 'held@x'`;
    expect(users[0]?.n).toBe(0);
    const [row] = await db.sqlTransaction!((t) => t.$queryRaw<{ one: number }[]>`SELECT 1 AS one`);
    expect(row?.one).toBe(1);
  });

  it('ends a raw-SQL transaction left idle past the timeout: its connection is dropped, nothing commits', async () => {
    const base = await createTestDb();
    open.push(base);
    const db = await createDb({ url: base.url!, dataDir: 'unused', poolSize: 2, transactionTimeoutMs: 300 });
    open.push(db);
    const failure = await db.sqlTransaction!(async (t) => {
      await t.$executeRaw`INSERT INTO app_user (id, name_id, name_id_lower, roles, updated_at) VALUES (gen_random_uuid(), 'idle@x', 'idle@x', '{}', now())`;
      await new Promise((r) => setTimeout(r, 1_000));
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(failure)).toBe(true);
    const users = await base.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM app_user WHERE name_id = 'idle@x'`;
    expect(users[0]?.n).toBe(0);
    const [row] = await db.sqlTransaction!((t) => t.$queryRaw<{ one: number }[]>`SELECT 1 AS one`);
    expect(row?.one).toBe(1);
  });
});
