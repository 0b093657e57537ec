import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { migrate, pgliteRunner, readMigrations } from '../../../src/db/migrate.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';

describe('migrations', () => {
  it('apply on an empty database, then apply nothing the second time', async () => {
    const pglite = await PGlite.create('memory://');
    try {
      const runner = pgliteRunner(pglite);
      const local = await readMigrations();
      expect(await migrate(runner)).toEqual(local.map((m) => m.name));
      expect(await migrate(runner)).toEqual([]);
      const rows = await runner.query<{ n: number }>('SELECT count(*)::int AS n FROM "_prisma_migrations"');
      expect(rows[0]?.n).toBe(local.length);
    } finally {
      await pglite.close();
    }
  });

  describe('on the test database', () => {
    let db: TestDb;
    beforeAll(async () => {
      db = await createTestDb();
    });
    afterAll(async () => db?.destroy());

    it('leave nothing pending', async () => {
      expect(await db.pendingMigrations()).toEqual([]);
    });
  });
});
