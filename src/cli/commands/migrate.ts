import type { Command } from 'commander';
import { configFromEnvironment, loggerFor, openDatabase } from '../../main.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (PostgreSQL at DATABASE_URL, or the embedded database)')
    .action(async () => {
      const config = configFromEnvironment();
      const logger = loggerFor(config);
      const db = await openDatabase(config, logger, 'allot migrate');
      try {
        console.log(`migrate: ${db.kind} database is up to date`);
      } finally {
        await db.close();
      }
    });
}
