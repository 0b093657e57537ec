import { createAllocationService, type AllocationService } from '../../src/allocation/service.js';
import type { Db } from '../../src/db/client.js';
import { createMetrics, type Metrics } from '../../src/http/metrics.js';
import { systemClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';

export function allocationFor(db: Db): { service: AllocationService; metrics: Metrics } {
  const metrics = createMetrics({ defaultMetrics: false });
  const logger = createLogger({ level: 'error', format: 'json', silent: true });
  return { service: createAllocationService({ db, logger, metrics, clock: systemClock }), metrics };
}
