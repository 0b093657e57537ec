/**
 * `allot serve --workers N`: N worker processes share the port (node:cluster) and the PostgreSQL
 * database — sessions and the SAML replay cache live there, so any worker may serve any request.
 * A worker that dies unexpectedly is replaced; SIGTERM/SIGINT stop every worker gracefully.
 */
import cluster from 'node:cluster';
import type { Logger } from '../../shared/logger.js';

export function runPrimary(workers: number, logger: Logger): void {
  let stopping = false;
  const fork = (): void => {
    cluster.fork();
  };
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.warn('worker exited; starting a new one', { pid: worker.process.pid, code, signal });
    setTimeout(fork, 1000).unref();
  });
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping workers', { signal });
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  for (let i = 0; i < workers; i++) fork();
  logger.info('allot primary started', { workers });
}
