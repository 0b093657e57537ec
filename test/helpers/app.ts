import { PassThrough } from 'node:stream';
import type { Express } from 'express';
import { loadConfig } from '../../src/config/index.js';
import type { Db } from '../../src/db/client.js';
import { createApp, type AppDeps, type Feature } from '../../src/http/app.js';
import { createMetrics } from '../../src/http/metrics.js';
import { buildDeps, CONFIG_DIR } from '../../src/main.js';
import { systemClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';

export interface TestApp {
  readonly app: Express;
  readonly deps: AppDeps;
  /** JSON log lines written so far (level `http` and above). */
  logLines(): Array<Record<string, unknown>>;
  /** The raw log text, to search for leaked secrets. */
  logText(): string;
}

/** The real app on the given database, its logger writing JSON lines to memory. */
export function createTestApp(db: Db, features: readonly Feature[] = []): TestApp {
  const config = loadConfig({ env: { NODE_ENV: 'test' }, configDir: CONFIG_DIR });
  let text = '';
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const logger = createLogger({ level: 'http', format: 'json', stream });
  const deps = buildDeps(config, db, logger, systemClock, createMetrics({ defaultMetrics: false }));
  return {
    app: createApp(deps, features),
    deps,
    logText: () => text,
    logLines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
