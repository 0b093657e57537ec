import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import type { AllocationService } from '../allocation/service.js';
import type { SessionService } from '../sessions/service.js';
import type { Config } from '../config/schema.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../shared/logger.js';
import type { Clock } from '../shared/clock.js';
import type { JobService } from '../jobs/types.js';
import type { Metrics } from './metrics.js';
import { requestId } from './request-id.js';
import { errorHandler, notFound } from './error-handler.js';
import { healthRouter } from './health.js';
import { refreshSeatGauges } from './seat-gauges.js';

export interface AppDeps {
  readonly config: Readonly<Config>;
  readonly db: Db;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly allocation: AllocationService;
  readonly sessions: SessionService;
  /** Redistribution jobs (SPEC §3). */
  readonly jobs?: JobService;
}

/** A feature mounts its own routers (each with its own body parser and limits). */
export type Feature = (app: Express, deps: AppDeps) => void;

/** Builds the Express app without listening (tests run it on port 0). */
export function createApp(deps: AppDeps, features: readonly Feature[] = []): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestId);
  app.use(helmet());
  app.use(httpMetrics(deps));
  app.use(healthRouter(deps.db, (e) => deps.logger.warn('readiness check failed', { error: (e as Error).message })));
  app.get('/metrics', async (_req, res) => {
    // A database outage must not hide the process metrics: the seat gauges keep their last values.
    await refreshSeatGauges(deps.db, deps.metrics).catch((e: unknown) => deps.logger.warn('seat gauges not refreshed', { error: (e as Error).message }));
    res.set('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });
  for (const feature of features) feature(app, deps);
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}

function httpMetrics({ metrics, logger }: AppDeps): express.RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // The route template, not the raw path, keeps label cardinality bounded.
      const route = req.route ? `${req.baseUrl}${String((req.route as { path: unknown }).path)}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.http('request', { method: req.method, route, status: res.statusCode, ms: Math.round(ms * 10) / 10 });
    });
    next();
  };
}

export type { Router };
