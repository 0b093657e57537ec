/**
 * Raw-SQL transactions on a pg pool connection, without the Prisma client: the redistribution
 * batches only send `$queryRaw`/`$executeRaw` statements, and at thousands of users per second the
 * client's per-statement work is a good part of the job's CPU. Same statements, same parameters
 * (Prisma.sql builds the text with $1… placeholders); pg converts the values the same way.
 */
import type { Pool, PoolClient } from 'pg';
import { Prisma } from '../generated/prisma/client.js';
import type { Tx } from './transaction.js';

/** The part of a transaction client the batches use; a Prisma transaction client is one too. */
export type SqlTx = Pick<Tx, '$queryRaw' | '$executeRaw'>;

type RawArgs = [query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]];

function statement([query, ...values]: RawArgs): Prisma.Sql {
  return query instanceof Prisma.Sql ? query : Prisma.sql(query, ...values);
}

function sqlTx(client: PoolClient): SqlTx {
  const tx = {
    $queryRaw: async (...args: RawArgs) => {
      const s = statement(args);
      return (await client.query(s.text, s.values)).rows;
    },
    $executeRaw: async (...args: RawArgs) => {
      const s = statement(args);
      return (await client.query(s.text, s.values)).rowCount ?? 0;
    },
  };
  return tx as unknown as SqlTx;
}

/**
 * BEGIN, fn, COMMIT on one pool connection; ROLLBACK when fn throws. A connection whose ROLLBACK
 * fails is destroyed, not returned to the pool. Errors are pg's (SQLSTATE in `code`), which
 * isRetryable and isDatabaseUnavailable read.
 * `timeoutMs` bounds every statement and every pause between statements (SET LOCAL, sent with
 * BEGIN in one round trip), as Prisma's interactive-transaction timeout bounds its transactions:
 * a lock wait or a stalled caller cannot hold a connection and its locks without end.
 */
export async function pgTransaction<T>(pool: Pool, fn: (tx: SqlTx) => Promise<T>, timeoutMs: number): Promise<T> {
  const ms = Math.max(1, Math.floor(timeoutMs));
  if (!Number.isFinite(ms)) throw new Error(`transaction timeout must be a number of ms, got ${timeoutMs}`);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${ms}; SET LOCAL idle_in_transaction_session_timeout = ${ms}`);
    const result = await fn(sqlTx(client));
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch((r: Error) => (broken = r));
    throw e;
  } finally {
    client.release(broken);
  }
}
