/** Mounts the demo IdP and seeds the demo data once (SPEC §8); nothing at all when not active. */
import type { Feature } from '../http/app.js';
import { demoActive, demoKeys, demoSeed } from './active.js';
import { demoRouter, demoTarget } from './routes.js';

export const demoFeature: Feature = (app, deps) => {
  if (!demoActive(deps.config)) return;
  demoSeed(deps).then(
    (seeded) => seeded && deps.logger.info('demo data seeded (licenses, preference order, mappings)'),
    (e: unknown) => deps.logger.error('demo data seeding failed', { error: (e as Error).message }),
  );
  app.use(demoRouter(deps, demoTarget(deps), demoKeys(deps)));
  deps.logger.info('demo identity provider at /demo/idp (no IdP configured; never in production)');
};
