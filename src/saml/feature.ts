/** Mounts SAML single sign-on and the signed-in landing pages (issue 5). */
import type { Feature } from '../http/app.js';
import type { AppDeps } from '../http/app.js';
import { demoActive, demoIdpEntityId, demoKeys, demoSeed } from '../demo/active.js';
import type { AcsContext } from './acs.js';
import { landingRouter } from './landing.js';
import { createSamlCache } from './replay-cache.js';
import { samlRouter } from './routes.js';
import { configuredSettings, idpConfigured, spDecryption, spEndpoints, type SamlSettings } from './settings.js';
import { SamlNotConfigured } from './routes.js';
import { createPassport, REQUEST_TTL_MS } from './strategy.js';

async function resolveSettings(deps: AppDeps): Promise<SamlSettings> {
  const { config } = deps;
  if (!demoActive(config)) return configuredSettings(config);
  const { spEntityId, acsUrl } = spEndpoints(config);
  const entityId = demoIdpEntityId(config);
  await demoSeed(deps).catch(() => false);
  return { spEntityId, acsUrl, idpEntityId: entityId, ssoUrl: entityId, certs: [(await demoKeys(deps)).cert], skewMs: config.saml.clockSkewMs, ...spDecryption(config) };
}

export function createAcsContext(deps: AppDeps, settings: SamlSettings): AcsContext {
  const cache = createSamlCache(deps.db, deps.clock, REQUEST_TTL_MS);
  return {
    settings,
    cache,
    passport: createPassport(settings, cache.provider),
    groupAttribute: deps.config.saml.groupAttribute,
    now: () => deps.clock.now(),
  };
}

const PURGE_EVERY_MS = 10 * 60_000;

export const samlFeature: Feature = (app, deps) => {
  // A configured IdP is checked now, so a bad config fails the start; the demo key may take a moment.
  let ready: Promise<AcsContext>;
  if (demoActive(deps.config)) ready = resolveSettings(deps).then((s) => createAcsContext(deps, s));
  else if (idpConfigured(deps.config)) ready = Promise.resolve(createAcsContext(deps, configuredSettings(deps.config)));
  else {
    deps.logger.warn('SAML single sign-on is not configured (saml.idp.*); /saml answers 503');
    ready = Promise.reject(new SamlNotConfigured());
  }
  ready.catch((e: unknown) => {
    if (!(e instanceof SamlNotConfigured)) deps.logger.error('SAML setup failed', { error: (e as Error).message });
  });
  // Expired request ids and assertion ids are useless; a timer per process keeps the table small.
  const purge = setInterval(() => {
    ready
      .then((ctx) => ctx.cache.purgeExpired())
      .catch((e: unknown) => {
        if (!(e instanceof SamlNotConfigured)) deps.logger.warn('SAML cache purge failed', { error: (e as Error).message });
      });
  }, PURGE_EVERY_MS);
  purge.unref();
  app.use(samlRouter(deps, ready));
  app.use(landingRouter(deps));
};
