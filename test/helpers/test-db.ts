import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { expect, inject } from 'vitest';
import { checkInvariants } from '../../src/allocation/invariants.js';
import { createDb, type Db } from '../../src/db/client.js';
import { migrate, pgliteRunner } from '../../src/db/migrate.js';

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

/**
 * How many PostgreSQL test databases one test file may hold open at once. Two files run side by
 * side and the reliability suites start whole clusters, all on a server with max_connections 100:
 * a file that keeps each test's database (and its pool) open to the end failed CI with "too many
 * clients" in whichever file ran next to it. Over the limit, the file itself fails, saying why.
 */
export const OPEN_DB_LIMIT = 4;
let open = 0;

/** A fresh, migrated database: PGlite in memory, or a PostgreSQL clone of the run's template. */
export async function createTestDb(opts: { poolSize?: number } = {}): Promise<TestDb> {
  const template = inject('pgTemplate');
  if (!template) {
    const snapshot = await pgliteSnapshot();
    const db = await createDb({ dataDir: 'memory://', snapshot, transactionTimeoutMs: 30_000 });
    return { ...db, url: undefined, destroy: () => db.close() };
  }
  if (open >= OPEN_DB_LIMIT) {
    throw new Error(`this test file already holds ${open} open test databases (limit ${OPEN_DB_LIMIT}): destroy each one when its test ends`);
  }
  open++;
  const name = `allot_t_${randomBytes(6).toString('hex')}`;
  const url = urlFor(name);
  let db: Db;
  try {
    await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    db = await createDb({ url, dataDir: 'unused', poolSize: opts.poolSize ?? 5, transactionTimeoutMs: 30_000 });
  } catch (e) {
    open--;
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
    throw e;
  }
  let destroyed = false;
  return {
    ...db,
    url,
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      open--;
      await db.close();
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/**
 * For a file with one database per test, after each test: the pool invariants hold (used == rows,
 * <= capacity, one primary), and the database is dropped even when they do not.
 */
export async function checkThenDestroy(db: TestDb): Promise<void> {
  try {
    expect(await checkInvariants(db.prisma)).toEqual([]);
  } finally {
    await db.destroy();
  }
}

let snapshot: Promise<Blob> | undefined;

/**
 * A dump of a freshly migrated PGlite data directory, made once per run and loaded by every
 * in-memory test database: PGlite's initdb costs seconds, loading the dump about one. createDb
 * still runs the migrator on it (and finds nothing to do); test/integration/db/migrations.test.ts
 * migrates a truly empty database.
 */
function pgliteSnapshot(): Promise<Blob> {
  return (snapshot ??= (async () => {
    const file = inject('pgliteSnapshot');
    if (!file) throw new Error('pgliteSnapshot is not provided: run through vitest (test/helpers/global-setup.ts)');
    const existing = await readFile(file).catch(() => undefined);
    if (existing) return new Blob([existing]);
    const pglite = await PGlite.create('memory://');
    try {
      await migrate(pgliteRunner(pglite));
      const dump = await pglite.dumpDataDir('none');
      // Several workers may race to make it: each writes its own file, the rename is atomic.
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, new Uint8Array(await dump.arrayBuffer()));
      await rename(tmp, file);
      return dump;
    } finally {
      await pglite.close();
    }
  })());
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
