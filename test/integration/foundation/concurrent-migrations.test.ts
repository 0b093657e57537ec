import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, pgRunner, readMigrations } from '../../../src/db/migrate.js';
import { runCli } from '../../helpers/cli.js';
import { adminQuery, urlFor, usingPostgres } from '../../helpers/test-db.js';

// Several instances starting at once against one fresh PostgreSQL database must apply each
// migration exactly once (the advisory lock). PGlite has one connection, so this is
// PostgreSQL only.
describe.skipIf(!usingPostgres())('migrations run concurrently on a fresh PostgreSQL database', () => {
  const created: string[] = [];

  async function freshDatabase(): Promise<string> {
    const name = `allot_mig_${randomBytes(6).toString('hex')}`;
    await adminQuery(`CREATE DATABASE "${name}"`);
    created.push(name);
    return urlFor(name);
  }

  async function appliedRows(url: string): Promise<Array<{ migration_name: string; n: number }>> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ migration_name: string; n: number }>(
        `SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL GROUP BY 1 ORDER BY 1`,
      );
      return rows;
    } finally {
      await client.end();
    }
  }

  afterEach(async () => {
    for (const name of created.splice(0)) await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('applies each migration once when eight clients migrate at the same time', async () => {
    const url = await freshDatabase();
    const local = await readMigrations();
    const clients = Array.from({ length: 8 }, () => new pg.Client({ connectionString: url }));
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const results = await Promise.all(clients.map((c) => migrate(pgRunner(c))));
      // Exactly one client applied everything; the others found nothing to do.
      expect(results.flat().sort()).toEqual(local.map((m) => m.name).sort());
      expect(results.filter((r) => r.length > 0)).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    expect(await appliedRows(url)).toEqual(local.map((m) => ({ migration_name: m.name, n: 1 })));
  });

  it('applies each migration once when three `allot migrate` processes start together', async () => {
    const url = await freshDatabase();
    const local = await readMigrations();
    const runs = await Promise.all(
      [1, 2, 3].map(() => runCli(['migrate'], { DATABASE_URL: url, LOG_LEVEL: 'info', LOG_FORMAT: 'json' })),
    );
    for (const run of runs) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('postgres database is up to date');
    }
    const appliedLines = runs.flatMap((r) => r.stdout.split('\n')).filter((l) => l.includes('migrate: applied'));
    expect(appliedLines).toHaveLength(local.length);
    expect(await appliedRows(url)).toEqual(local.map((m) => ({ migration_name: m.name, n: 1 })));
  });
});
