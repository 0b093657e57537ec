import type { Db } from './client.js';
import type { Prisma } from '../generated/prisma/client.js';
import { AppError } from '../shared/errors.js';
import { isDatabaseUnavailable } from './errors.js';
import type { SqlTx } from './sql-tx.js';

export type Tx = Prisma.TransactionClient;

export interface TxOptions {
  isolation?: Prisma.TransactionIsolationLevel;
  /** Retries after a serialization failure or deadlock (SQLSTATE 40001/40P01). */
  retries?: number;
  onRetry?: (attempt: number, error: unknown, reason: RetryReason) => void;
}

const RETRYABLE_SQLSTATE = new Set(['40001', '40P01']);

/** Why a transaction was retried: the metric label (allot_transaction_retries_total{reason}). */
export type RetryReason = 'deadlock' | 'serialization';

/** Deadlock (40P01) or serialization failure (40001, Prisma P2034) of a retryable error. */
export function retryReason(e: unknown): RetryReason {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const err = cur as { code?: unknown; meta?: { code?: unknown }; originalCode?: unknown; cause?: unknown };
    if ([err.code, err.originalCode, err.meta?.code].includes('40P01')) return 'deadlock';
    cur = err.cause;
  }
  return /deadlock detected/i.test(String((e as Error | undefined)?.message ?? '')) ? 'deadlock' : 'serialization';
}

/** True for serialization failures and deadlocks, however the driver adapter wraps them. */
export function isRetryable(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const err = cur as { code?: unknown; meta?: { code?: unknown }; originalCode?: unknown; cause?: unknown };
    if (err.code === 'P2034') return true;
    for (const c of [err.code, err.originalCode, err.meta?.code]) {
      if (typeof c === 'string' && RETRYABLE_SQLSTATE.has(c)) return true;
    }
    cur = err.cause;
  }
  return /deadlock detected|could not serialize access/i.test(String((e as Error | undefined)?.message ?? ''));
}

/** Runs fn in one interactive transaction, retried a bounded number of times on conflicts. */
export function withTx<T>(db: Db, fn: (tx: Tx) => Promise<T>, opts: TxOptions = {}): Promise<T> {
  return retrying(db, opts, () =>
    db.prisma.$transaction(fn, {
      maxWait: db.tx.maxWait,
      timeout: db.tx.timeout,
      ...(opts.isolation ? { isolationLevel: opts.isolation } : {}),
    }),
  );
}

/**
 * The same for code that only sends raw statements: on PostgreSQL without the Prisma client
 * (sql-tx.ts), on PGlite through it (one connection, shared with Prisma). READ COMMITTED.
 */
export function withSqlTx<T>(db: Db, fn: (tx: SqlTx) => Promise<T>, opts: Omit<TxOptions, 'isolation'> = {}): Promise<T> {
  const { sqlTransaction } = db;
  return sqlTransaction ? retrying(db, opts, () => sqlTransaction(fn)) : withTx(db, fn, opts);
}

async function retrying<T>(db: Db, opts: TxOptions, run: () => Promise<T>): Promise<T> {
  const retries = opts.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    const losses = db.connectionLosses();
    try {
      return await run();
    } catch (e) {
      if (db.connectionLosses() !== losses && !(e instanceof AppError) && !isDatabaseUnavailable(e)) throw connectionLost(e);
      if (attempt >= retries || !isRetryable(e)) throw e;
      opts.onRetry?.(attempt + 1, e, retryReason(e));
      await new Promise((r) => setTimeout(r, 5 * 2 ** attempt + Math.random() * 10));
    }
  }
}

/**
 * A connection broke while this transaction ran: sibling queries of the broken one may fail in
 * other ways (Prisma resolves them with undefined), so the first error seen can be a TypeError.
 * Nothing was committed; the caller answers 503 (retry), not 500.
 */
function connectionLost(cause: unknown): AppError {
  const err = new AppError('DATABASE_UNAVAILABLE', 'the database connection was lost during the transaction');
  (err as { cause?: unknown }).cause = cause;
  return err;
}
