import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from '../shared/logger.js';

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish (up to graceMs), then resolves. */
  stop(graceMs?: number): Promise<void>;
}

export function listen(app: Express, port: number, host: string, logger: Logger): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => {
      if (err) return reject(err);
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
            server.close(() => {
              clearTimeout(timer);
              done();
            });
            server.closeIdleConnections();
          }),
      });
    });
    server.on('error', reject);
  });
}
