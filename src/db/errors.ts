/**
 * SQLSTATE classes and driver messages that mean "the database is not there right now". 57014: a
 * statement ran past the transaction timeout (sql-tx.ts) or was cancelled by an operator.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|57014|53300)$/;
const UNAVAILABLE_PRISMA = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const UNAVAILABLE_MESSAGE =
  /(not queryable|ECONNREFUSED|ECONNRESET|EPIPE|Connection terminated|terminating connection|server closed the connection|Can't reach database|Unable to start a transaction in the given time|Timed out fetching a new connection|DatabaseNotReachable|ConnectionClosed|connection timeout|ENOSPC|No space left on device|PGlite is closed)/i;

/** True when an error comes from losing the database, not from the request itself. */
export function isDatabaseUnavailable(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 6; depth++) {
    const err = cur as { code?: unknown; originalCode?: unknown; kind?: unknown; message?: unknown; cause?: unknown };
    if (err.code === 'DATABASE_UNAVAILABLE') return true;
    if (typeof err.code === 'string' && (UNAVAILABLE_PRISMA.has(err.code) || UNAVAILABLE_SQLSTATE.test(err.code))) return true;
    if (typeof err.originalCode === 'string' && UNAVAILABLE_SQLSTATE.test(err.originalCode)) return true;
    if (err.kind === 'DatabaseNotReachable' || err.kind === 'ConnectionClosed' || err.kind === 'SocketTimeout') return true;
    if (typeof err.message === 'string' && UNAVAILABLE_MESSAGE.test(err.message)) return true;
    cur = err.cause;
  }
  return false;
}
