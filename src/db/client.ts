import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PrismaClient } from '../generated/prisma/client.js';
import { migrate, pendingMigrations, pgRunner, pgliteRunner } from './migrate.js';
import { acquireDataDirLock, type DataDirLock } from './pglite-lock.js';
import { pgTransaction, type SqlTx } from './sql-tx.js';

export type { PrismaClient };
export type DbKind = 'postgres' | 'pglite';

export interface Db {
  readonly prisma: PrismaClient;
  readonly kind: DbKind;
  /** Interactive-transaction limits, sized for the engine (PGlite runs one transaction at a time). */
  readonly tx: { maxWait: number; timeout: number };
  ping(): Promise<void>;
  /**
   * How many connections broke so far (terminated backend, server gone). withTx compares it around
   * a transaction: a failure of any shape while a connection broke is the database's, not a bug.
   */
  connectionLosses(): number;
  pendingMigrations(): Promise<string[]>;
  /** PostgreSQL only: a raw-SQL transaction on a pool connection, without Prisma (sql-tx.ts). */
  readonly sqlTransaction?: <T>(fn: (tx: SqlTx) => Promise<T>) => Promise<T>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** postgresql:// URL; when absent the embedded PGlite is used. */
  url?: string | undefined;
  /** Directory for the embedded database and its lock, or "memory://" (tests). */
  dataDir: string;
  poolSize?: number;
  transactionTimeoutMs?: number;
  /** Apply pending migrations before returning (always on for PGlite). */
  migrate?: boolean;
  /** In-memory PGlite only: start from this dump of a migrated data directory (test speed). */
  snapshot?: Blob | undefined;
  /** What is opening the database, shown to a second process refused by the lock. */
  command?: string;
  log?: (msg: string) => void;
}

export async function createDb(opts: DbOptions): Promise<Db> {
  return opts.url ? createPostgresDb(opts.url, opts) : createPgliteDb(opts);
}

async function createPostgresDb(url: string, opts: DbOptions): Promise<Db> {
  const pg = (await import('pg')).default;
  const { PrismaPg } = await import('@prisma/adapter-pg');
  if (opts.migrate) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migrate(pgRunner(client), opts.log);
    } finally {
      await client.end();
    }
  }
  // JIT off for our sessions: every statement here is short, and on large tables the planner's cost
  // estimates pass jit_above_cost, so a query of a few ms spent ~0.25 s compiling (seen on the
  // redistribution's per-batch reads at a million users).
  const pool = new pg.Pool({ ...withSessionOptions(url), max: opts.poolSize ?? 10, connectionTimeoutMillis: 5_000 });
  // A server restart or pg_terminate_backend kills idle connections; without a listener the
  // pool's 'error' event would crash the process instead of letting the next query reconnect.
  let losses = 0;
  pool.on('error', (e) => opts.log?.(`database: idle connection lost: ${e.message}`));
  // A backend terminated while its client is checked out but between queries emits 'error' on
  // the client; without a listener of our own that crashed the process (pg_terminate_backend
  // under load, test/integration/reliability). The failure still reaches the query that uses it.
  pool.on('connect', (client) => client.on('error', () => losses++));
  // Prisma hands a transaction's client back without an error even when it broke mid-way.
  pool.on('release', (err: Error | undefined, client) => {
    if (err || (client as unknown as { _queryable?: boolean })._queryable === false) losses++;
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const timeout = opts.transactionTimeoutMs ?? 15_000;
  return {
    prisma,
    kind: 'postgres',
    tx: { maxWait: Math.min(timeout, 10_000), timeout },
    ping: async () => void (await pool.query('SELECT 1')),
    connectionLosses: () => losses,
    pendingMigrations: () => pendingMigrations(async (sql) => (await pool.query<{ migration_name: string }>(sql)).rows),
    sqlTransaction: (fn) => pgTransaction(pool, fn, timeout),
    close: async () => {
      await prisma.$disconnect();
      await pool.end().catch(() => {});
    },
  };
}

/**
 * The URL without its `options` parameter, and the startup options: the URL's own, then ours
 * (pg lets options in the URL win over the config's, so they are moved, not merged).
 */
function withSessionOptions(url: string): { connectionString: string; options: string } {
  try {
    const parsed = new URL(url);
    const own = parsed.searchParams.get('options');
    parsed.searchParams.delete('options');
    return { connectionString: own === null ? url : parsed.toString(), options: [own, '-c jit=off'].filter(Boolean).join(' ') };
  } catch {
    return { connectionString: url, options: '-c jit=off' }; // pg reports an unreadable URL when it connects
  }
}

async function createPgliteDb(opts: DbOptions): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  const inMemory = opts.dataDir.startsWith('memory://');
  let lock: DataDirLock | undefined;
  let pglite: InstanceType<typeof PGlite>;
  if (inMemory) {
    pglite = await PGlite.create(opts.dataDir, opts.snapshot ? { loadDataDir: opts.snapshot } : {});
  } else {
    const dir = path.resolve(opts.dataDir);
    lock = acquireDataDirLock(dir, opts.command ?? 'allot');
    try {
      await mkdir(dir, { recursive: true }); // PGlite creates only the last path segment
      pglite = await PGlite.create(path.join(dir, 'pglite'));
    } catch (e) {
      lock.release();
      throw e;
    }
  }
  const release = async () => {
    await pglite.close().catch(() => {});
    lock?.release();
  };
  try {
    // Migrations always run on the embedded database: nobody else can have applied them.
    await migrate(pgliteRunner(pglite), opts.log);
  } catch (e) {
    await release();
    throw e;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  const timeout = opts.transactionTimeoutMs ?? 15_000;
  return {
    prisma,
    kind: 'pglite',
    // One connection: every transaction queues behind the others, so waiting is normal.
    tx: { maxWait: Math.max(timeout, 30_000), timeout },
    ping: async () => void (await pglite.query('SELECT 1')),
    // One in-process engine: it does not lose connections, it closes (isDatabaseUnavailable knows).
    connectionLosses: () => 0,
    pendingMigrations: () => pendingMigrations(async (sql) => (await pglite.query<{ migration_name: string }>(sql)).rows),
    close: async () => {
      await prisma.$disconnect();
      await release();
    },
  };
}
