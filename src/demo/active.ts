/**
 * The demo IdP (SPEC §8) runs only outside production, with demo.enabled, and when no IdP is
 * configured. Its key is generated on first run under database.dataDir (in memory for tests).
 */
import path from 'node:path';
import type { AppDeps } from '../http/app.js';
import type { Config } from '../config/schema.js';
import { idpConfigured, spEndpoints } from '../saml/settings.js';
import { loadOrCreateKeys } from './keys.js';
import { createSelfSigned, type KeyAndCert } from './self-signed.js';
import { seedDemoData } from './data.js';

export function demoActive(config: Readonly<Config>): boolean {
  return config.demo.enabled && config.env !== 'production' && !idpConfigured(config);
}

export function demoIdpEntityId(config: Readonly<Config>): string {
  return `${spEndpoints(config).publicUrl}/demo/idp`;
}

const keys = new WeakMap<AppDeps, Promise<KeyAndCert>>();

/** One key pair per app (the SP trusts what the demo IdP signs with). */
export function demoKeys(deps: AppDeps): Promise<KeyAndCert> {
  let p = keys.get(deps);
  if (!p) {
    const dir = deps.config.database.dataDir;
    p = dir.startsWith('memory:') ? Promise.resolve(createSelfSigned('allot demo IdP')) : loadOrCreateKeys(path.resolve(dir), 'allot demo IdP');
    keys.set(deps, p);
  }
  return p;
}

const seeded = new WeakMap<AppDeps, Promise<boolean>>();

/** Seeds the demo data once per app; the ACS waits for it, so the first demo login finds the mappings. */
export function demoSeed(deps: AppDeps): Promise<boolean> {
  let p = seeded.get(deps);
  if (!p) {
    p = seedDemoData(deps.db);
    seeded.set(deps, p);
  }
  return p;
}
