import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from '../shared/logger.js';

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish (up to graceMs), then resolves. */
  stop(graceMs?: number): Promise<void>;
}

const KEEP_ALIVE_MS = 65_000;

export function listen(app: Express, port: number, host: string, logger: Logger): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => {
      if (err) return reject(err);
      // Idle keep-alive connections outlive a load balancer's (60 s is the common default), so the
      // proxy, not allot, closes them: a client never reuses a socket we are closing (ECONNRESET).
      server.keepAliveTimeout = KEEP_ALIVE_MS;
      server.headersTimeout = KEEP_ALIVE_MS + 1_000;
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      resolve({
        server,
        port: actual,
        stop: (graceMs = 10_000) =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => {
              logger.warn('shutdown: closing connections still open after grace period');
              server.closeAllConnections();
            }, graceMs);
            timer.unref();
            // A keep-alive connection whose request finishes after close() becomes idle: close it
            // then, rather than waiting keepAliveTimeout for the client to leave.
            const sweep = setInterval(() => server.closeIdleConnections(), 50);
            sweep.unref();
            server.close(() => {
              clearTimeout(timer);
              clearInterval(sweep);
              done();
            });
            server.closeIdleConnections();
          }),
      });
    });
    server.on('error', reject);
  });
}
