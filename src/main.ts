import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from './config/index.js';
import { createDb, type Db } from './db/client.js';
import { createApp, type AppDeps, type Feature } from './http/app.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { listen, type RunningServer } from './http/server.js';
import { createLogger, type Logger } from './shared/logger.js';
import { systemClock, type Clock } from './shared/clock.js';
import { createAllocationService } from './allocation/service.js';
import { seedBootstrapToken } from './auth/tokens.js';
import { features } from './features.js';
import { createSessionService } from './sessions/service.js';
import { createJobService, type RunningJobService } from './jobs/service.js';

export const CONFIG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../config');

/** Reads the configuration from config/ and the environment (the only reader of process.env). */
export function configFromEnvironment(): Readonly<Config> {
  return loadConfig({ env: process.env, configDir: CONFIG_DIR });
}

export function loggerFor(config: Readonly<Config>): Logger {
  return createLogger({
    level: config.log.level,
    format: config.log.format ?? (config.env === 'production' ? 'json' : 'pretty'),
  });
}

export async function openDatabase(config: Readonly<Config>, logger: Logger, command: string, migrate = true): Promise<Db> {
  return createDb({
    url: config.database.url,
    dataDir: config.database.dataDir,
    poolSize: config.database.poolSize,
    transactionTimeoutMs: config.database.transactionTimeoutMs,
    migrate,
    command,
    log: (m) => logger.info(m),
  });
}

/** The services every surface shares, built once per process (tests build their own). */
export function buildDeps(
  config: Readonly<Config>,
  db: Db,
  logger: Logger,
  clock: Clock = systemClock,
  metrics: Metrics = createMetrics(),
): AppDeps & { readonly jobs: RunningJobService } {
  const allocation = createAllocationService({ db, logger, metrics, clock });
  const jobs = createJobService(
    { db, logger, metrics, clock, allocation },
    { batchSize: config.jobs.batchSize, staleAfterMs: config.jobs.staleAfterMs, pollIntervalMs: config.jobs.pollIntervalMs, schedule: config.jobs.schedule },
  );
  const sessions = createSessionService({ db, clock, ttlHours: config.session.ttlHours, secure: config.publicUrl.startsWith('https:') });
  return { config, db, logger, metrics, clock, allocation, sessions, jobs };
}

/** ALLOT_BOOTSTRAP_ADMIN_TOKEN / ALLOT_BOOTSTRAP_SCIM_TOKEN seed a token of that scope (SPEC §6). */
async function seedBootstrap({ config, db, logger }: AppDeps): Promise<void> {
  const tokens = [['admin', config.bootstrap.adminToken], ['scim', config.bootstrap.scimToken]] as const;
  for (const [scope, secret] of tokens) {
    if (!secret) continue;
    await seedBootstrapToken(db, scope, secret);
    logger.info('bootstrap token seeded', { name: `bootstrap-${scope}`, scope });
  }
}

export interface Service {
  readonly deps: AppDeps;
  readonly http: RunningServer;
  stop(): Promise<void>;
}

/** Composition root: config → database → services → app → listen (STYLE layout). */
export async function startService(config: Readonly<Config>, logger: Logger, extra: readonly Feature[] = []): Promise<Service> {
  const db = await openDatabase(config, logger, `allot serve (port ${config.port})`);
  const deps = buildDeps(config, db, logger);
  let http: RunningServer | undefined;
  try {
    await seedBootstrap(deps);
    const app = createApp(deps, [...features, ...extra]);
    http = await listen(app, config.port, config.host, logger);
    await deps.jobs.start();
  } catch (e) {
    await http?.stop();
    await deps.jobs.stop();
    await db.close();
    throw e;
  }
  logger.info('allot listening', { url: config.publicUrl, port: http.port, database: db.kind });
  let stopping: Promise<void> | undefined;
  return {
    deps,
    http,
    stop: () =>
      (stopping ??= (async () => {
        await http.stop();
        await deps.jobs.stop();
        await db.close();
        logger.info('allot stopped');
      })()),
  };
}
