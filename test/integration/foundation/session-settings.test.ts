/**
 * Settings of allot's own PostgreSQL sessions (src/db/client.ts): JIT compilation off, since its
 * statements are all short and a large table's cost estimates made one of a few ms spend ~0.25 s
 * compiling; options given in the URL are kept.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../../src/db/client.js';
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
});
