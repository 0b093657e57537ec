import type { Command } from 'commander';
import { configFromEnvironment, loggerFor, startService } from '../../main.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP service (SAML, SCIM, admin API)')
    .option('-p, --port <port>', 'port to listen on (overrides PORT)')
    .action(async (opts: { port?: string }) => {
      if (opts.port) process.env['PORT'] = opts.port;
      const config = configFromEnvironment();
      const logger = loggerFor(config);
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
