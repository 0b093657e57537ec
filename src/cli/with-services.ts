import { configFromEnvironment, loggerFor, openDatabase, buildDeps } from '../main.js';

/**
 * Opens the configured database for one CLI command and closes it afterwards. On the embedded
 * database a running server holds the lock, and the command is refused with what to do instead.
 */
export async function withServices<T>(command: string, fn: (deps: ReturnType<typeof buildDeps>) => Promise<T>): Promise<T> {
  const config = configFromEnvironment();
  const logger = loggerFor(config);
  const db = await openDatabase(config, logger, command);
  try {
    return await fn(buildDeps(config, db, logger));
  } finally {
    await db.close();
  }
}
