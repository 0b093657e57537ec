/**
 * ACS throughput (issue 5): bare @node-saml/node-saml validatePostResponseAsync on a typical
 * response (RSA-2048/SHA-256, Response and Assertion signed, 5 groups) against full ACS logins over
 * HTTP on 127.0.0.1 (checks + library + JIT transaction + session), with p50/p99 and the ratio.
 * Run: npm run bench:acs -- [logins] [concurrency] [workers]
 * (PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set: a database is created and dropped.
 * With workers > 1 and PostgreSQL it also runs the ACS in 1..workers node:cluster processes, the
 * way `allot serve --workers N` does, and prints logins/s for each count.)
 */
import { createScratchDatabase } from './lib/scratch-database.js';
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { SAML } from '@node-saml/node-saml';
import { configSchema } from '../src/config/schema.js';
import { createDb, type Db } from '../src/db/client.js';
import { createApp } from '../src/http/app.js';
import { createMetrics } from '../src/http/metrics.js';
import { buildDeps } from '../src/main.js';
import { createLogger } from '../src/shared/logger.js';
import { systemClock } from '../src/shared/clock.js';
import { samlFeature } from '../src/saml/feature.js';
import { samlOptions } from '../src/saml/strategy.js';
import { parseAcsForm } from '../src/saml/checks/body.js';
import { scanResponse } from '../src/saml/checks/xml-scan.js';
import { createSelfSigned } from '../src/demo/self-signed.js';
import { mintResponse, type MintTarget } from '../src/demo/mint.js';

const LOGINS = Number(process.argv[2] ?? 400);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const WORKERS = Number(process.argv[4] ?? 1);
const USERS = Math.max(10, Math.floor(LOGINS / 4));
const PUBLIC_URL = 'http://127.0.0.1:3999';
const target: MintTarget = {
  idpEntityId: 'https://idp.bench/entity',
  ssoUrl: 'https://idp.bench/sso',
  spEntityId: `${PUBLIC_URL}/saml/metadata`,
  acsUrl: `${PUBLIC_URL}/saml/acs`,
};
const keys = cluster.isWorker ? { privateKey: '', cert: process.env['BENCH_CERT']! } : createSelfSigned('bench IdP');
const groupsOf = (n: number): string[] => [`grp-${n % 20}`, `grp-${(n * 7 + 3) % 20}`, `dept-${n % 13}`, `site-${n % 5}`, 'all-staff'];
const claimsOf = (n: number) => ({ nameId: `user${n}@bench.example`, firstName: 'User', lastName: String(n), email: `user${n}@bench.example`, groups: groupsOf(n) });

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;

interface Figures {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** CPU time of this process per operation (user + system), steadier than wall time on a busy machine. */
  readonly cpuMs: number;
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

async function bare(): Promise<Figures> {
  const settings = { ...target, certs: [keys.cert], skewMs: 60_000 };
  const saml = new SAML(samlOptions(settings, { saveAsync: async () => null, getAsync: async () => null, removeAsync: async (k) => k }, true));
  const { base64 } = await mintResponse(target, keys, claimsOf(1));
  for (let i = 0; i < 50; i++) await saml.validatePostResponseAsync({ SAMLResponse: base64 });
  const lat: number[] = [];
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < LOGINS; i++) {
    const t = performance.now();
    await saml.validatePostResponseAsync({ SAMLResponse: base64 });
    lat.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuPer = cpuMs(cpu) / LOGINS;
  lat.sort((a, b) => a - b);
  // Our own pre-parse work on the same response, for the record.
  const body = Buffer.from(`SAMLResponse=${encodeURIComponent(base64)}`);
  const t0 = performance.now();
  for (let i = 0; i < 2000; i++) scanResponse(parseAcsForm(body).xml);
  console.log(`allot pre-checks (form, base64, streaming scan): ${(((performance.now() - t0) / 2000) * 1000).toFixed(0)} µs per response`);
  return { perSecond: LOGINS / seconds, p50: pct(lat, 50), p99: pct(lat, 99), cpuMs: cpuPer };
}

async function seed(db: Db): Promise<void> {
  const keysOf = ['bot-creator', 'citizen-developer', 'attended-bot-runner', 'unattended-bot-runner', 'bot-insight', 'process-discovery'];
  await db.prisma.license.createMany({ data: keysOf.map((key) => ({ key, name: key, kind: key.startsWith('bot-insight') || key === 'process-discovery' ? ('addon' as const) : ('primary' as const), capacity: USERS * 2 })) });
  await db.prisma.groupMapping.createMany({
    data: Array.from({ length: 20 }, (_, i) => ({
      idpGroup: `grp-${i}`,
      roles: ['AAE_Basic'],
      licenses: [keysOf[i % 4]!, ...(i % 3 === 0 ? ['process-discovery'] : [])],
      autoProvision: true,
    })),
  });
}

function benchApp(db: Db) {
  const config = configSchema.parse({
    env: 'production',
    publicUrl: PUBLIC_URL,
    database: { dataDir: 'memory://' },
    log: {},
    saml: { sp: {}, idp: { entityId: target.idpEntityId, ssoUrl: target.ssoUrl, certs: [keys.cert] }, rateLimit: { windowMs: 60_000, max: 1_000_000 } },
    session: {},
    jobs: {},
    demo: { enabled: false },
    bootstrap: {},
  });
  const deps = buildDeps(config, db, createLogger({ level: 'error', format: 'json', silent: true }), systemClock, createMetrics({ defaultMetrics: false }));
  return createApp(deps, [samlFeature]);
}

async function mintBodies(label: string, count: number): Promise<string[]> {
  process.stdout.write(`${label}: minting ${count} responses with samlify… `);
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) bodies.push(`SAMLResponse=${encodeURIComponent((await mintResponse(target, keys, claimsOf(i % USERS))).base64)}`);
  console.log('done');
  return bodies;
}

async function acs(label: string, db: Db): Promise<Figures> {
  await seed(db);
  const server = benchApp(db).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/saml/acs`;
  const warm = 40;
  const figures = await load(url, await mintBodies(label, LOGINS + warm), warm, CONCURRENCY);
  server.close();
  return figures;
}

async function load(url: string, bodies: string[], warm: number, concurrency: number): Promise<Figures> {
  const post = async (body: string): Promise<number> => {
    const t = performance.now();
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    await res.arrayBuffer();
    if (res.status !== 303) throw new Error(`ACS answered ${res.status}`);
    return performance.now() - t;
  };
  for (const b of bodies.slice(0, warm)) await post(b);
  const work = bodies.slice(warm);
  const lat: number[] = [];
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < work.length) lat.push(await post(work[next++]!));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  lat.sort((a, b) => a - b);
  return { perSecond: work.length / seconds, p50: pct(lat, 50), p99: pct(lat, 99), cpuMs: cpuMs(cpu) / work.length };
}

/** A cluster worker: the ACS on the shared port, over the primary's database. */
async function worker(): Promise<void> {
  const db = await createDb({ url: process.env['BENCH_DB_URL']!, dataDir: 'unused', migrate: false, poolSize: CONCURRENCY + 4 });
  benchApp(db).listen(Number(process.env['BENCH_PORT']), '127.0.0.1', () => process.send?.('ready'));
  // The primary asks for this process's CPU time: the server's own cost, without the HTTP client.
  process.on('message', (m) => m === 'cpu' && process.send?.({ cpu: process.cpuUsage() }));
}

const workerCpuMs = (w: ReturnType<typeof cluster.fork>): Promise<number> =>
  new Promise((resolve) => {
    w.once('message', (m: { cpu: NodeJS.CpuUsage }) => resolve((m.cpu.user + m.cpu.system) / 1000));
    w.send('cpu');
  });

async function scaling(dbUrl: string, bareCpuMs: number): Promise<void> {
  const port = 39_000 + Math.floor(Math.random() * 1000);
  const counts = [...new Set([1, ...Array.from({ length: WORKERS }, (_, i) => i + 1).filter((w) => w === WORKERS || w % 2 === 0)])];
  let base = 0;
  for (const w of counts) {
    const warm = 20 * w;
    const bodies = await mintBodies(`${w} worker(s)`, LOGINS + warm);
    const procs = Array.from({ length: w }, () => cluster.fork({ BENCH_DB_URL: dbUrl, BENCH_PORT: String(port), BENCH_CERT: keys.cert }));
    await Promise.all(procs.map((p) => new Promise((r) => p.once('message', r))));
    const url = `http://127.0.0.1:${port}/saml/acs`;
    await load(url, bodies.slice(0, warm), warm, CONCURRENCY * w);
    const cpuBefore = await Promise.all(procs.map(workerCpuMs));
    const f = await load(url, bodies.slice(warm), 0, CONCURRENCY * w);
    const cpuAfter = await Promise.all(procs.map(workerCpuMs));
    const serverCpu = cpuAfter.reduce((a, c, i) => a + c - cpuBefore[i]!, 0) / LOGINS;
    for (const p of procs) p.kill();
    await Promise.all(procs.map((p) => new Promise((r) => p.once('exit', r))));
    if (w === 1) base = f.perSecond;
    console.log(`ACS with ${w} worker(s) (node:cluster, PostgreSQL, concurrency ${CONCURRENCY * w}): ${f.perSecond.toFixed(0)}/s (p50 ${fmt(f.p50)}, p99 ${fmt(f.p99)}), ${(f.perSecond / base).toFixed(2)}× one worker, ${serverCpu.toFixed(2)} ms CPU per login in the worker process(es) (no HTTP client), ${(serverCpu / bareCpuMs).toFixed(2)}× bare validation`);
  }
}

if (cluster.isWorker) {
  await worker();
} else {
  const b = await bare();
  console.log(`bare node-saml validatePostResponseAsync: ${b.perSecond.toFixed(0)}/s (p50 ${fmt(b.p50)}, p99 ${fmt(b.p99)}), ${LOGINS} validations, one at a time, ${b.cpuMs.toFixed(2)} ms CPU each`);

  const url = process.env['TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  let db: Db;
  let cleanup: () => Promise<void>;
  let label: string;
  let dbUrl: string | undefined;
  if (url) {
    const scratch = await createScratchDatabase(url, 'allot_bench_acs');
    dbUrl = scratch.url;
    db = await createDb({ url: dbUrl, dataDir: 'unused', migrate: true, poolSize: CONCURRENCY + 4 });
    label = 'PostgreSQL';
    cleanup = async () => {
      await db.close();
      await scratch.drop();
    };
  } else {
    db = await createDb({ dataDir: 'memory://' });
    label = 'PGlite (embedded)';
    cleanup = () => db.close();
  }
  try {
    const a = await acs(label, db);
    console.log(`full ACS logins over HTTP (${label}, one worker, concurrency ${CONCURRENCY}): ${a.perSecond.toFixed(0)}/s (p50 ${fmt(a.p50)}, p99 ${fmt(a.p99)}), ${LOGINS} logins over ${USERS} users, ${a.cpuMs.toFixed(2)} ms CPU each in this process (HTTP client included${label.startsWith('PGlite') ? ', embedded database included' : ''})`);
    console.log(`ratio ACS / bare validation: ${(a.perSecond / b.perSecond).toFixed(2)} logins/s (target ≥ 0.9); CPU per login / CPU per bare validation: ${(a.cpuMs / b.cpuMs).toFixed(2)}`);
    if (WORKERS > 1) {
      if (dbUrl) await scaling(dbUrl, b.cpuMs);
      else console.log('workers: skipped (set TEST_DATABASE_URL: PGlite serves one process)');
    }
  } finally {
    await cleanup();
  }
}
