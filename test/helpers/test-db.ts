import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDb, type Db } from '../../src/db/client.js';

export interface TestDb extends Db {
  /** PostgreSQL connection string of this test database (undefined on PGlite). */
  readonly url: string | undefined;
  /** Closes and drops the database. */
  destroy(): Promise<void>;
}

export const usingPostgres = (): boolean => Boolean(process.env['TEST_DATABASE_URL']);

export function urlFor(database: string): string {
  const url = new URL(process.env['TEST_DATABASE_URL']!);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A fresh, migrated database: PGlite in memory, or a PostgreSQL clone of the run's template. */
export async function createTestDb(opts: { poolSize?: number } = {}): Promise<TestDb> {
  const template = inject('pgTemplate');
  if (!template) {
    const db = await createDb({ dataDir: 'memory://', transactionTimeoutMs: 30_000 });
    return { ...db, url: undefined, destroy: () => db.close() };
  }
  const name = `allot_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  const url = urlFor(name);
  const db = await createDb({ url, dataDir: 'unused', poolSize: opts.poolSize ?? 5, transactionTimeoutMs: 30_000 });
  return {
    ...db,
    url,
    destroy: async () => {
      await db.close();
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env['TEST_DATABASE_URL'] });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
