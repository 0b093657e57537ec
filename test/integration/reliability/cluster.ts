/**
 * Real `allot serve` processes for the reliability suites: each instance is a child process on its
 * own port, configured (ALLOT_CONFIG file) for an IdP whose key the test generated, on the test's
 * PostgreSQL database. Requests go over HTTP with fetch, as a browser, an IdP or a script would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createToken } from '../../../src/auth/tokens.js';
import type { Db } from '../../../src/db/client.js';
import type { Claims, MintOptions } from '../../../src/demo/mint.js';
import { startServe, type ServeProcess } from '../../helpers/serve.js';
import { PUBLIC_URL, TARGET, type TestIdp } from '../../helpers/idp.js';

export interface Instance {
  readonly name: string;
  readonly base: string;
  readonly proc: ServeProcess;
}

export interface Cluster {
  readonly instances: readonly Instance[];
  readonly tokens: { readonly admin: string; readonly scim: string };
  stop(): Promise<void>;
}

export interface ClusterOptions {
  readonly instances?: number;
  /** Connection string the servers use (defaults to the test database; a proxy in the fault tests). */
  readonly databaseUrl?: string;
  readonly poolSize?: number;
  /** Extra config merged into the instance config file (e.g. jobs.batchSize). */
  readonly config?: Record<string, unknown>;
  /** pg application_name of the servers' connections, so a test can find and kill them. */
  readonly applicationName?: string;
}

/** The config file every instance reads: our IdP, no demo, a rate limit the load cannot hit. */
export function instanceConfig(idp: TestIdp, opts: ClusterOptions = {}): Record<string, unknown> {
  const extra = opts.config ?? {};
  return {
    ...extra,
    publicUrl: PUBLIC_URL,
    database: { poolSize: opts.poolSize ?? 10, transactionTimeoutMs: 60_000, ...((extra['database'] as object | undefined) ?? {}) },
    saml: { sp: {}, idp: { entityId: TARGET.idpEntityId, ssoUrl: TARGET.ssoUrl, certs: [idp.keys.cert] }, rateLimit: { windowMs: 60_000, max: 1_000_000 } },
    demo: { enabled: false },
  };
}

export function withApplicationName(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
}

export async function startCluster(db: Db & { url: string | undefined }, idp: TestIdp, opts: ClusterOptions = {}): Promise<Cluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'allot-rel-'));
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(instanceConfig(idp, opts)));
  const suffix = Math.random().toString(36).slice(2, 8);
  const tokens = {
    admin: (await createToken(db, `rel-admin-${suffix}`, 'admin')).token,
    scim: (await createToken(db, `rel-scim-${suffix}`, 'scim')).token,
  };
  let url = opts.databaseUrl ?? db.url!;
  if (opts.applicationName) url = withApplicationName(url, opts.applicationName);
  const count = opts.instances ?? 2;
  const procs = await Promise.all(
    Array.from({ length: count }, () => startServe({ DATABASE_URL: url, ALLOT_CONFIG: file, ALLOT_DATA_DIR: dir })),
  ).catch(async (e: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  const instances = procs.map((proc, i) => ({ name: String.fromCharCode(65 + i), base: `http://127.0.0.1:${proc.port}`, proc }));
  return {
    instances,
    tokens,
    stop: async () => {
      await Promise.all(procs.map((p) => p.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface AcsResult {
  readonly status: number;
  readonly location: string | null;
  readonly cookie: string | null;
  readonly body: string;
}

/** POSTs a SAMLResponse to an instance's ACS the way a browser's auto-submitted form does. */
export async function postAcs(base: string, samlResponse: string): Promise<AcsResult> {
  const res = await fetch(`${base}/saml/acs`, {
    method: 'POST',
    body: new URLSearchParams({ SAMLResponse: samlResponse }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('allot_session='))?.split(';')[0] ?? null;
  return { status: res.status, location: res.headers.get('location'), cookie, body: await res.text() };
}

/** Mints a fresh IdP-initiated response (new assertion id) and logs in with it. */
export async function login(base: string, idp: TestIdp, claims: Claims, opts: MintOptions = {}): Promise<AcsResult> {
  return postAcs(base, (await idp.mint(claims, opts)).base64);
}

export interface Me {
  readonly nameId: string;
  readonly licenses: { key: string; origin: string }[];
  readonly reason: string | null;
  readonly missing: string[];
}

/** What the landing page knows of the signed-in user (GET /me with the session cookie). */
export async function me(base: string, cookie: string): Promise<Me> {
  const res = await fetch(`${base}/me`, { headers: { cookie } });
  if (res.status !== 200) throw new Error(`/me answered ${res.status}`);
  return (await res.json()) as Me;
}

export interface ApiResult {
  readonly status: number;
  readonly body: unknown;
}

export async function api(base: string, token: string, method: string, urlPath: string, body?: unknown, contentType = 'application/json'): Promise<ApiResult> {
  const res = await fetch(`${base}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

/** Runs fn over items with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** Polls until check() is true (no timing asserted: the suite timeout is the bound). */
export async function until(check: () => Promise<boolean>, intervalMs = 200, rethrow = false): Promise<void> {
  for (;;) {
    if (await check().catch((e: unknown) => (rethrow ? Promise.reject(e) : false))) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function readyStatus(base: string): Promise<number> {
  const res = await fetch(`${base}/readyz`);
  await res.arrayBuffer();
  return res.status;
}

/** A Prometheus sample value summed over the label sets that match, or undefined if absent. */
export async function metricSum(base: string, name: string, labels: Record<string, string> = {}): Promise<{ exposed: boolean; sum: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const exposed = text.includes(`# TYPE ${name} `);
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return { exposed, sum };
}
