/**
 * ACS throughput (issue 5): bare @node-saml/node-saml validatePostResponseAsync on a typical
 * response (RSA-2048/SHA-256, Response and Assertion signed, 5 groups) against full ACS logins over
 * HTTP on 127.0.0.1 (checks + library + JIT transaction + session), with p50/p99 and the ratio.
 * The server runs in a process of its own (bench/lib/acs-server.ts, one node:cluster worker), so
 * its CPU per login is measured without the HTTP client's; bare validation runs in this process.
 * Run: npm run bench:acs -- [logins] [concurrency] [workers]
 * (PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set: a database is created and dropped.
 * With workers > 1 and PostgreSQL it also runs the ACS in 2..workers node:cluster processes, the
 * way `allot serve --workers N` does, and prints logins/s for each count.)
 */
import cluster, { type Worker } from 'node:cluster';
import { SAML } from '@node-saml/node-saml';
import { createDb } from '../src/db/client.js';
import { samlOptions } from '../src/saml/strategy.js';
import { parseAcsForm } from '../src/saml/checks/body.js';
import { scanResponse } from '../src/saml/checks/xml-scan.js';
import { createSelfSigned } from '../src/demo/self-signed.js';
import { mintResponse } from '../src/demo/mint.js';
import { createScratchDatabase } from './lib/scratch-database.js';
import { runServer, seed, target, type ServerEnv } from './lib/acs-server.js';

const LOGINS = Number(process.argv[2] ?? 400);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const WORKERS = Number(process.argv[4] ?? 1);
const USERS = Math.max(10, Math.floor(LOGINS / 4));
const keys = cluster.isWorker ? { privateKey: '', cert: '' } : createSelfSigned('bench IdP');
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

async function mintBodies(label: string, count: number): Promise<string[]> {
  process.stdout.write(`${label}: minting ${count} responses with samlify… `);
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) bodies.push(`SAMLResponse=${encodeURIComponent((await mintResponse(target, keys, claimsOf(i % USERS))).base64)}`);
  console.log('done');
  return bodies;
}


async function load(url: string, bodies: string[], concurrency: number): Promise<Figures> {
  const post = async (body: string): Promise<number> => {
    const t = performance.now();
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    await res.arrayBuffer();
    if (res.status !== 303) throw new Error(`ACS answered ${res.status}`);
    return performance.now() - t;
  };
  const lat: number[] = [];
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) lat.push(await post(bodies[next++]!));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  lat.sort((a, b) => a - b);
  return { perSecond: bodies.length / seconds, p50: pct(lat, 50), p99: pct(lat, 99), cpuMs: cpuMs(cpu) / bodies.length };
}

interface ServerCpu {
  /** The whole process (every thread), ms. */
  readonly total: number;
  /** The JavaScript thread alone (Linux /proc), ms. */
  readonly main: number;
}

const workerCpu = (w: Worker): Promise<ServerCpu> =>
  new Promise((resolve) => {
    w.once('message', (m: { cpu: NodeJS.CpuUsage; mainThread: number }) => resolve({ total: (m.cpu.user + m.cpu.system) / 1000, main: m.mainThread }));
    w.send('cpu');
  });

interface Served extends Figures {
  /** CPU of the server process(es) per login: the figure to hold against bare validation. */
  readonly serverCpuMs: number;
  /** Of which on the JavaScript thread(s) (the rest: GC helpers, libuv pool). */
  readonly mainThreadMs: number;
}

/** `workers` server processes (one: the plain one-worker server) under `concurrency` × workers clients. */
async function served(label: string, workers: number, dbUrl: string | undefined): Promise<Served> {
  const warm = 40 * workers;
  const bodies = await mintBodies(label, LOGINS + warm);
  const env: ServerEnv = {
    BENCH_CERT: keys.cert,
    BENCH_USERS: String(USERS),
    BENCH_POOL: String(CONCURRENCY + 4),
    ...(dbUrl ? { BENCH_DB_URL: dbUrl } : {}),
  };
  const procs = Array.from({ length: workers }, () => cluster.fork(env));
  const ports = await Promise.all(procs.map((p) => new Promise<number>((r) => p.once('message', (m: { ready: number }) => r(m.ready)))));
  const url = `http://127.0.0.1:${ports[0]}/saml/acs`;
  try {
    await load(url, bodies.slice(0, warm), CONCURRENCY * workers);
    const cpuBefore = await Promise.all(procs.map(workerCpu));
    const f = await load(url, bodies.slice(warm), CONCURRENCY * workers);
    const cpuAfter = await Promise.all(procs.map(workerCpu));
    const spent = (k: keyof ServerCpu): number => cpuAfter.reduce((a, c, i) => a + c[k] - cpuBefore[i]![k], 0) / LOGINS;
    return { ...f, serverCpuMs: spent('total'), mainThreadMs: spent('main') };
  } finally {
    for (const p of procs) p.send('exit');
    await Promise.all(procs.map((p) => new Promise((r) => p.once('exit', r))));
  }
}

if (cluster.isWorker) {
  await runServer(process.env as unknown as ServerEnv);
} else {
  const b = await bare();
  console.log(`bare node-saml validatePostResponseAsync: ${b.perSecond.toFixed(0)}/s (p50 ${fmt(b.p50)}, p99 ${fmt(b.p99)}), ${LOGINS} validations, one at a time, ${b.cpuMs.toFixed(2)} ms CPU each`);

  const url = process.env['TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  const scratch = url ? await createScratchDatabase(url, 'allot_bench_acs') : undefined;
  const label = scratch ? 'PostgreSQL' : 'PGlite (embedded)';
  try {
    if (scratch) {
      const db = await createDb({ url: scratch.url, dataDir: 'unused', migrate: true, poolSize: 2 });
      await seed(db, USERS).finally(() => db.close());
    }
    const a = await served(label, 1, scratch?.url);
    console.log(
      `full ACS logins over HTTP (${label}, one server process, concurrency ${CONCURRENCY}): ${a.perSecond.toFixed(0)}/s (p50 ${fmt(a.p50)}, p99 ${fmt(a.p99)}), ${LOGINS} logins over ${USERS} users, ` +
        `${a.serverCpuMs.toFixed(2)} ms CPU each in the server process (${a.mainThreadMs.toFixed(1)} ms on its JavaScript thread)${scratch ? '' : ' (embedded database included)'}, ` +
        `${a.cpuMs.toFixed(2)} ms in the bench process (HTTP client)`,
    );
    console.log(`ratio ACS / bare validation: ${(a.perSecond / b.perSecond).toFixed(2)} logins/s (target ≥ 0.9); server CPU per login / CPU per bare validation: ${(a.serverCpuMs / b.cpuMs).toFixed(2)}`);
    if (WORKERS > 1 && !scratch) console.log('workers: skipped (set TEST_DATABASE_URL: PGlite serves one process)');
    if (WORKERS > 1 && scratch) {
      for (const w of Array.from({ length: WORKERS }, (_, i) => i + 1).filter((n) => n === WORKERS || (n > 1 && n % 2 === 0))) {
        const f = await served(`${w} workers`, w, scratch.url);
        console.log(
          `ACS with ${w} workers (node:cluster, PostgreSQL, concurrency ${CONCURRENCY * w}): ${f.perSecond.toFixed(0)}/s (p50 ${fmt(f.p50)}, p99 ${fmt(f.p99)}), ` +
            `${(f.perSecond / a.perSecond).toFixed(2)}× one worker, ${f.serverCpuMs.toFixed(2)} ms CPU per login in the worker processes, ${(f.serverCpuMs / b.cpuMs).toFixed(2)}× bare validation`,
        );
      }
    }
  } finally {
    await scratch?.drop();
  }
}
