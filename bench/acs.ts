/**
 * ACS throughput (issue 5): bare @node-saml/node-saml validatePostResponseAsync on a typical
 * response (RSA-2048/SHA-256, Response and Assertion signed, 5 groups) against full ACS logins over
 * HTTP on 127.0.0.1 (checks + library + JIT transaction + session), with p50/p99 and the ratio.
 * The server runs in a process of its own (bench/lib/acs-server.ts, one node:cluster worker), so
 * its CPU per login is measured without the HTTP client's; bare validation runs in this process.
 * The two sides run in alternating blocks, so a machine whose load drifts (other benchmarks)
 * weighs on both alike.
 * Run: npm run bench:acs -- [logins] [concurrency] [workers]
 * (PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set: a database is created and dropped.
 * With workers > 1 and PostgreSQL it also runs the ACS in 2..workers node:cluster processes, the
 * way `allot serve --workers N` does, and prints logins/s for each count. On PostgreSQL it also
 * measures the floor, bench/lib/acs-floor.ts: ACS_FLOOR_TRIPS=n sets its round trips, default 5.)
 */
import cluster, { type Worker } from 'node:cluster';
import { createDb } from '../src/db/client.js';
import { parseAcsForm } from '../src/saml/checks/body.js';
import { scanResponse } from '../src/saml/checks/xml-scan.js';
import { createSelfSigned } from '../src/demo/self-signed.js';
import { mintResponse } from '../src/demo/mint.js';
import { createScratchDatabase } from './lib/scratch-database.js';
import { mainThreadCpu, runServer, seed, target, type ServerEnv } from './lib/acs-server.js';
import { FLOOR_PATH } from './lib/acs-floor.js';
import { bareSaml } from './lib/saml-pool.js';

const LOGINS = Number(process.argv[2] ?? 400);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const WORKERS = Number(process.argv[4] ?? 1);
const USERS = Math.max(10, Math.floor(LOGINS / 4));
const BLOCKS = Math.max(1, Math.min(10, Math.floor(LOGINS / 50)));
const keys = cluster.isWorker ? { privateKey: '', cert: '' } : createSelfSigned('bench IdP');
const groupsOf = (n: number): string[] => [`grp-${n % 20}`, `grp-${(n * 7 + 3) % 20}`, `dept-${n % 13}`, `site-${n % 5}`, 'all-staff'];
const claimsOf = (n: number) => ({ nameId: `user${n}@bench.example`, firstName: 'User', lastName: String(n), email: `user${n}@bench.example`, groups: groupsOf(n) });

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;

/** What one side spent over its blocks (ms), and its latencies. */
class Tally {
  count = 0;
  wallMs = 0;
  /** The measured process, every thread. */
  cpuMs = 0;
  /** The measured process's JavaScript thread (Linux /proc). */
  mainMs = 0;
  /** The bench process (the HTTP client) while the ACS side ran. */
  clientMs = 0;
  readonly lat: number[] = [];
  get perSecond(): number {
    return this.count / (this.wallMs / 1000);
  }
  per(ms: number): number {
    return ms / this.count;
  }
  latencies(): string {
    const sorted = [...this.lat].sort((a, b) => a - b);
    return `p50 ${fmt(pct(sorted, 50))}, p99 ${fmt(pct(sorted, 99))}`;
  }
}

const cpuNow = (): { total: number; main: number } => {
  const u = process.cpuUsage();
  return { total: (u.user + u.system) / 1000, main: mainThreadCpu() };
};

/** Validates the same response `n` times, one at a time, adding to `into`. */
async function bareValidator(): Promise<(n: number, into: Tally) => Promise<void>> {
  const saml = bareSaml(target, keys.cert);
  const { base64 } = await mintResponse(target, keys, claimsOf(1));
  for (let i = 0; i < 50; i++) await saml.validatePostResponseAsync({ SAMLResponse: base64 });
  // Our own pre-parse work on the same response, for the record.
  const body = Buffer.from(`SAMLResponse=${encodeURIComponent(base64)}`);
  const t0 = performance.now();
  for (let i = 0; i < 2000; i++) scanResponse(parseAcsForm(body).xml);
  console.log(`allot pre-checks (form, base64, streaming scan): ${(((performance.now() - t0) / 2000) * 1000).toFixed(0)} µs per response`);
  return async (n, into) => {
    const started = performance.now();
    const cpu = cpuNow();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await saml.validatePostResponseAsync({ SAMLResponse: base64 });
      into.lat.push(performance.now() - t);
    }
    const end = cpuNow();
    into.count += n;
    into.wallMs += performance.now() - started;
    into.cpuMs += end.total - cpu.total;
    into.mainMs += end.main - cpu.main;
  };
}

async function mintBodies(label: string, count: number): Promise<string[]> {
  process.stdout.write(`${label}: minting ${count} responses with samlify… `);
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) bodies.push(`SAMLResponse=${encodeURIComponent((await mintResponse(target, keys, claimsOf(i % USERS))).base64)}`);
  console.log('done');
  return bodies;
}

/** Posts `bodies` with `concurrency` clients; latencies and the client's CPU go to `into`. */
async function load(url: string, bodies: string[], concurrency: number, into?: Tally): Promise<void> {
  const post = async (body: string): Promise<void> => {
    const t = performance.now();
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    await res.arrayBuffer();
    if (res.status !== 303) throw new Error(`ACS answered ${res.status}`);
    into?.lat.push(performance.now() - t);
  };
  let next = 0;
  const started = performance.now();
  const cpu = cpuNow();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) await post(bodies[next++]!);
    }),
  );
  if (!into) return;
  into.count += bodies.length;
  into.wallMs += performance.now() - started;
  into.clientMs += cpuNow().total - cpu.total;
}

const workerCpu = (w: Worker): Promise<{ total: number; main: number }> =>
  new Promise((resolve) => {
    w.once('message', (m: { cpu: NodeJS.CpuUsage; mainThread: number }) => resolve({ total: (m.cpu.user + m.cpu.system) / 1000, main: m.mainThread }));
    w.send('cpu');
  });

/**
 * `workers` server processes under `concurrency` × workers clients, the logins in `blocks` blocks;
 * `between` runs after each block (the bare side's share).
 */
async function served(label: string, workers: number, dbUrl: string | undefined, blocks: number, between?: (n: number) => Promise<void>, floor = false): Promise<Tally> {
  const warm = 40 * workers;
  const bodies = await mintBodies(label, LOGINS + warm);
  const env: ServerEnv = {
    BENCH_CERT: keys.cert,
    BENCH_USERS: String(USERS),
    BENCH_POOL: String(CONCURRENCY + 4),
    ...(dbUrl ? { BENCH_DB_URL: dbUrl } : {}),
    BENCH_FLOOR: floor ? (process.env['ACS_FLOOR_TRIPS'] ?? '5') : '',
  };
  const procs = Array.from({ length: workers }, () => cluster.fork(env));
  const ports = await Promise.all(procs.map((p) => new Promise<number>((r) => p.once('message', (m: { ready: number }) => r(m.ready)))));
  const url = `http://127.0.0.1:${ports[0]}${floor ? FLOOR_PATH : '/saml/acs'}`;
  const tally = new Tally();
  try {
    await load(url, bodies.slice(0, warm), CONCURRENCY * workers);
    const work = bodies.slice(warm);
    const size = Math.ceil(work.length / blocks);
    for (let b = 0; b < blocks; b++) {
      const block = work.slice(b * size, (b + 1) * size);
      const before = await Promise.all(procs.map(workerCpu));
      await load(url, block, CONCURRENCY * workers, tally);
      const after = await Promise.all(procs.map(workerCpu));
      tally.cpuMs += after.reduce((a, c, i) => a + c.total - before[i]!.total, 0);
      tally.mainMs += after.reduce((a, c, i) => a + c.main - before[i]!.main, 0);
      await between?.(block.length);
    }
    return tally;
  } finally {
    for (const p of procs) p.send('exit');
    await Promise.all(procs.map((p) => new Promise((r) => p.once('exit', r))));
  }
}

if (cluster.isWorker) {
  await runServer(process.env as unknown as ServerEnv);
} else {
  const validate = await bareValidator();
  const url = process.env['TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  const scratch = url ? await createScratchDatabase(url, 'allot_bench_acs') : undefined;
  const label = scratch ? 'PostgreSQL' : 'PGlite (embedded)';
  try {
    if (scratch) {
      const db = await createDb({ url: scratch.url, dataDir: 'unused', migrate: true, poolSize: 2 });
      await seed(db, USERS).finally(() => db.close());
    }
    const b = new Tally();
    const a = await served(label, 1, scratch?.url, BLOCKS, (n) => validate(n, b));
    console.log(
      `bare node-saml validatePostResponseAsync: ${b.perSecond.toFixed(0)}/s (${b.latencies()}), ${b.count} validations, one at a time, ` +
        `${b.per(b.cpuMs).toFixed(2)} ms CPU each (${b.per(b.mainMs).toFixed(1)} ms on the JavaScript thread)`,
    );
    console.log(
      `full ACS logins over HTTP (${label}, one server process, concurrency ${CONCURRENCY}): ${a.perSecond.toFixed(0)}/s (${a.latencies()}), ${a.count} logins over ${USERS} users, ` +
        `${a.per(a.cpuMs).toFixed(2)} ms CPU each in the server process (${a.per(a.mainMs).toFixed(1)} ms on its JavaScript thread)${scratch ? '' : ' (embedded database included)'}, ` +
        `${a.per(a.clientMs).toFixed(2)} ms in the bench process (HTTP client)`,
    );
    console.log(`(bare validation and ACS logins ran in ${BLOCKS} alternating blocks)`);
    console.log(
      `ratio ACS / bare validation: ${(a.perSecond / b.perSecond).toFixed(2)} logins/s (target ≥ 0.9); server CPU per login / CPU per bare validation: ` +
        `${(a.per(a.cpuMs) / b.per(b.cpuMs)).toFixed(2)} (JavaScript thread: ${(a.per(a.mainMs) / b.per(b.mainMs)).toFixed(2)})`,
    );
    if (scratch) {
      // Validation + Express 5 + five pg round trips and nothing else (bench/lib/acs-floor.ts).
      const fb = new Tally();
      const f = await served('floor', 1, scratch.url, BLOCKS, (n) => validate(n, fb), true);
      console.log(
        `floor (node-saml validation + bare Express 5 route + ${process.env['ACS_FLOOR_TRIPS'] ?? 5} pg round trips, no checks/JIT/session): ${f.perSecond.toFixed(0)}/s (${f.latencies()}), ` +
          `${f.per(f.cpuMs).toFixed(2)} ms CPU each in the server process (${f.per(f.mainMs).toFixed(1)} ms on its JavaScript thread); ` +
          `bare validation alternating with it ${fb.perSecond.toFixed(0)}/s, ${fb.per(fb.cpuMs).toFixed(2)} ms CPU; ratio floor / bare ${(f.perSecond / fb.perSecond).toFixed(2)}, ` +
          `CPU ${(f.per(f.cpuMs) / fb.per(fb.cpuMs)).toFixed(2)}; allot's ACS / floor ${(a.perSecond / f.perSecond).toFixed(2)} logins/s`,
      );
    }
    if (WORKERS > 1 && !scratch) console.log('workers: skipped (set TEST_DATABASE_URL: PGlite serves one process)');
    if (WORKERS > 1 && scratch) {
      for (const w of Array.from({ length: WORKERS }, (_, i) => i + 1).filter((n) => n === WORKERS || (n > 1 && n % 2 === 0))) {
        const f = await served(`${w} workers`, w, scratch.url, 1);
        console.log(
          `ACS with ${w} workers (node:cluster, PostgreSQL, concurrency ${CONCURRENCY * w}): ${f.perSecond.toFixed(0)}/s (${f.latencies()}), ` +
            `${(f.perSecond / a.perSecond).toFixed(2)}× one worker, ${f.per(f.cpuMs).toFixed(2)} ms CPU per login in the worker processes, ${(f.per(f.cpuMs) / b.per(b.cpuMs)).toFixed(2)}× bare validation`,
        );
      }
    }
  } finally {
    await scratch?.drop();
  }
}
