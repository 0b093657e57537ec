import cluster from 'node:cluster';
import type { Command } from 'commander';
import { configFromEnvironment, loggerFor, startService } from '../../main.js';
import { runPrimary } from './cluster.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP service (SAML, SCIM, admin API)')
    .option('-p, --port <port>', 'port to listen on (overrides PORT)')
    .option('-w, --workers <n>', 'worker processes sharing the port (node:cluster; needs DATABASE_URL above 1)', '1')
    .action(async (opts: { port?: string; workers: string }) => {
      if (opts.port) process.env['PORT'] = opts.port;
      const config = configFromEnvironment();
      const logger = loggerFor(config);
      const workers = Number(opts.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new Error('--workers: must be an integer from 1 to 64');
      if (workers > 1 && cluster.isPrimary) {
        // The embedded database belongs to one process (data-dir lock): several workers need PostgreSQL.
        if (!config.database.url) throw new Error('--workers above 1 needs DATABASE_URL (the embedded PGlite database serves one process)');
        return runPrimary(workers, logger);
      }
      const service = await startService(config, logger);
      const shutdown = (signal: string) => {
        logger.info('shutting down', { signal });
        service.stop().then(
          () => process.exit(0),
          (e: unknown) => {
            logger.error('shutdown failed', { error: (e as Error).message });
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
}
