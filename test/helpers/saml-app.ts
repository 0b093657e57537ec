/** The app with SAML mounted on a test database, a log capture and its own metrics. */
import { inflateRawSync } from 'node:zlib';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import request from 'supertest';
import { configSchema, type Config } from '../../src/config/schema.js';
import { createApp, type AppDeps } from '../../src/http/app.js';
import { createMetrics } from '../../src/http/metrics.js';
import { buildDeps } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { samlFeature } from '../../src/saml/feature.js';
import type { Db } from '../../src/db/client.js';
import { PUBLIC_URL, TARGET } from './idp.js';

export interface SamlApp {
  readonly app: Express;
  readonly deps: AppDeps;
  readonly logs: Record<string, unknown>[];
  /** Value of a counter sample, e.g. metric('allot_saml_refusals_total', {reason: 'REPLAY'}). */
  metric(name: string, labels: Record<string, string>): Promise<number>;
}

export function testConfig(db: Db, cert: string, patch: Record<string, unknown> = {}): Readonly<Config> {
  return configSchema.parse({
    env: 'test',
    publicUrl: PUBLIC_URL,
    database: { dataDir: 'memory://' },
    log: { level: 'info' },
    saml: {
      sp: {},
      idp: { entityId: TARGET.idpEntityId, ssoUrl: TARGET.ssoUrl, certs: [cert] },
      rateLimit: { windowMs: 60_000, max: 100_000 },
      ...patch,
    },
    session: {},
    jobs: {},
    demo: { enabled: false },
    bootstrap: {},
  });
}

export function samlApp(db: Db, config: Readonly<Config>): SamlApp {
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ level: 'info', format: 'json', stream });
  const metrics = createMetrics({ defaultMetrics: false });
  const deps = buildDeps(config, db, logger, systemClock, metrics);
  const app = createApp(deps, [samlFeature]);
  return {
    app,
    deps,
    logs,
    async metric(name, labels) {
      const m = await metrics.registry.getSingleMetric(name)?.get();
      const hit = m?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
      return hit?.value ?? 0;
    },
  };
}

/** POSTs a SAMLResponse as a browser's auto-submitted form does. */
export function postAcs(app: Express, samlResponse: string, relayState?: string): request.Test {
  const form = new URLSearchParams({ SAMLResponse: samlResponse, ...(relayState !== undefined ? { RelayState: relayState } : {}) });
  return request(app).post('/saml/acs').type('form').send(form.toString());
}

/** The Cookie header to send back after a login (supertest drops Secure cookies over http). */
export function sessionCookie(res: request.Response): string {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  const c = raw?.find((x) => x.startsWith('allot_session='));
  if (!c) throw new Error(`no session cookie (status ${res.status})`);
  return c.split(';')[0]!;
}

/** SP-initiated: GET /saml/login and return the AuthnRequest id the IdP must answer. */
export async function issueRequest(app: Express, relay?: string): Promise<{ id: string; location: string }> {
  const res = await request(app).get('/saml/login').query(relay ? { RelayState: relay } : {});
  if (res.status !== 302) throw new Error(`/saml/login answered ${res.status}`);
  const location = String(res.headers['location']);
  const xml = inflateRawSync(Buffer.from(new URL(location).searchParams.get('SAMLRequest')!, 'base64')).toString();
  return { id: /ID="([^"]+)"/.exec(xml)![1]!, location };
}
