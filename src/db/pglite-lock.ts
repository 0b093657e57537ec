// PGlite is one process's database: a second process opening the same data directory
// corrupts it (measured: the first process crashed and lost its rows). This pid lock file
// makes the second process refuse instead.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../shared/errors.js';

export interface LockInfo {
  pid: number;
  command: string;
  startedAt: string;
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockInfo>;
    return typeof parsed.pid === 'number' ? (parsed as LockInfo) : undefined;
  } catch {
    return undefined;
  }
}

export function lockedMessage(dataDir: string, holder: LockInfo): string {
  return (
    `The embedded database in ${dataDir} is in use by process ${holder.pid} ("${holder.command}", since ${holder.startedAt}). ` +
    'Only one process may open it. Stop that process first, or send the request to the running server ' +
    "(its admin API under /api/v1), or set DATABASE_URL to use a PostgreSQL server that several processes can share."
  );
}

/** Takes the data directory's lock or throws EMBEDDED_DATABASE_LOCKED naming the holder. */
export function acquireDataDirLock(dataDir: string, command: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'allot.lock');
  const info: LockInfo = { pid: process.pid, command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      let released = false;
      return {
        file,
        release() {
          if (released) return;
          released = true;
          if (readLock(file)?.pid === process.pid) unlinkSync(file);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readLock(file);
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) {
        throw new AppError('EMBEDDED_DATABASE_LOCKED', lockedMessage(dataDir, holder), holder);
      }
      if (holder?.pid === process.pid) {
        throw new AppError('EMBEDDED_DATABASE_LOCKED', `The embedded database in ${dataDir} is already open in this process.`);
      }
      // Stale lock from a process that died (or an unreadable file): take it over.
      try {
        unlinkSync(file);
      } catch {
        /* another process removed it first; retry */
      }
    }
  }
  throw new AppError('EMBEDDED_DATABASE_LOCKED', `Could not lock ${file}; is another allot starting?`);
}
