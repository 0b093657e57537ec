/**
 * Load and soak bench of the ACS (issue 9): `allot serve --workers 2` (two processes on one port,
 * node:cluster) on a fresh PostgreSQL database, autocannon POSTing pre-minted, distinct, valid
 * IdP-initiated responses (one user and one assertion id each: a replay would be refused), and
 * bare node-saml validation of the same responses in this process for the ratio.
 *
 *   npm run bench:load -- [--logins 2000] [--connections 16] [--workers 2]
 *   npm run bench:load -- --soak [--duration 600] [--rate 10]     RSS of the server processes
 *
 * Needs TEST_DATABASE_URL or DATABASE_URL (a database is created and dropped). 127.0.0.1 only;
 * stops by itself.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createScratchDatabase, type ScratchDatabase } from './lib/scratch-database.js';
import { createDb } from '../src/db/client.js';
import { benchIdp, bareValidation, benchMappings, BENCH_LICENSES, mintForms, type BenchIdp } from './lib/saml-pool.js';
import { startServer, type BenchServer } from './lib/server.js';

const { values: args } = parseArgs({
  options: {
    logins: { type: 'string', default: '2000' },
    connections: { type: 'string', default: '16' },
    workers: { type: 'string', default: '2' },
    soak: { type: 'boolean', default: false },
    duration: { type: 'string', default: '600' },
    rate: { type: 'string', default: '10' },
  },
});
const WORKERS = Number(args.workers);
const CONNECTIONS = Number(args.connections);
const PUBLIC_URL = 'https://allot.bench';
const MB = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;

const baseUrl = process.env['TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];
if (!baseUrl) {
  console.error('bench:load needs PostgreSQL: set TEST_DATABASE_URL (or DATABASE_URL); a database is created and dropped.');
  process.exit(2);
}

// Whatever happens, the bench ends: the soak duration (or a generous bound for the load run) plus slack.
const hardStopMs = (args.soak ? Number(args.duration) : 600) * 1000 + 15 * 60_000;
setTimeout(() => {
  console.error('bench:load: hard time limit reached, stopping');
  process.exit(3);
}, hardStopMs).unref();

async function createDatabase(): Promise<ScratchDatabase> {
  const scratch = await createScratchDatabase(baseUrl!, 'allot_bench_load');
  const db = await createDb({ url: scratch.url, dataDir: 'unused', migrate: true, poolSize: 2 });
  try {
    await db.prisma.license.createMany({
      data: BENCH_LICENSES.map((key) => ({ key, name: key, kind: key === 'bot-insight' || key === 'process-discovery' ? ('addon' as const) : ('primary' as const), capacity: 1_000_000 })),
    });
    await db.prisma.groupMapping.createMany({ data: benchMappings() });
  } finally {
    await db.close();
  }
  return scratch;
}

async function serve(idp: BenchIdp, url: string, dir: string): Promise<BenchServer> {
  const file = path.join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      publicUrl: PUBLIC_URL,
      database: { poolSize: Math.max(10, CONNECTIONS) },
      saml: { sp: {}, idp: { entityId: idp.target.idpEntityId, ssoUrl: idp.target.ssoUrl, certs: [idp.keys.cert] }, rateLimit: { windowMs: 60_000, max: 100_000_000 } },
    }),
  );
  return startServer({ DATABASE_URL: url, ALLOT_CONFIG: file, ALLOT_DATA_DIR: dir }, WORKERS);
}

interface Run {
  readonly result: autocannon.Result;
  readonly statuses: Map<number, number>;
}

function fire(port: number, forms: readonly string[], opts: { connections: number; overallRate?: number }): Promise<Run> {
  let next = 0;
  const statuses = new Map<number, number>();
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections: opts.connections,
        amount: forms.length,
        ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
        timeout: 60,
        requests: [
          {
            method: 'POST',
            path: '/saml/acs',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            setupRequest: (req) => ({ ...req, body: forms[next++ % forms.length] }),
            onResponse: (status) => void statuses.set(status, (statuses.get(status) ?? 0) + 1),
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve({ result, statuses })),
    );
  });
}

const okCount = (s: Map<number, number>) => s.get(303) ?? 0;

async function load(idp: BenchIdp, server: BenchServer): Promise<void> {
  const logins = Number(args.logins);
  const warm = 100;
  process.stdout.write(`minting ${logins + warm} distinct responses with samlify… `);
  const forms = await mintForms(idp, logins + warm);
  console.log('done');
  await fire(server.port, forms.slice(0, warm), { connections: 4 });
  const rssStart = server.rss();
  const { result, statuses } = await fire(server.port, forms.slice(warm), { connections: CONNECTIONS });
  const ok = okCount(statuses);
  const perSecond = ok / (result.duration || 1);
  console.log(`ACS over HTTP, allot serve --workers ${WORKERS}, PostgreSQL, ${CONNECTIONS} connections: ${perSecond.toFixed(0)} logins/s; p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms; ${ok}/${logins} answered 303 (statuses ${JSON.stringify(Object.fromEntries(statuses))}, errors ${result.errors}, timeouts ${result.timeouts})`);
  const bare = await bareValidation(idp, forms.slice(warm, warm + Math.min(logins, 1000)));
  console.log(`bare node-saml validatePostResponseAsync, same responses, one at a time in the bench process: ${bare.perSecond.toFixed(0)}/s; p50 ${bare.p50.toFixed(2)} ms, p99 ${bare.p99.toFixed(2)} ms`);
  console.log(`ratio full logins / bare validations: ${(perSecond / bare.perSecond).toFixed(2)} (${WORKERS} server processes against one validating thread; per process ${(perSecond / WORKERS / bare.perSecond).toFixed(2)})`);
  const rssEnd = server.rss();
  console.log(`RSS of the server processes: ${rssStart.map((r) => MB(r.bytes)).join(', ')} → ${rssEnd.map((r) => MB(r.bytes)).join(', ')}`);
}

async function soak(idp: BenchIdp, server: BenchServer): Promise<void> {
  const seconds = Number(args.duration);
  const rate = Number(args.rate);
  const total = Math.ceil(seconds * rate);
  const users = Math.min(total, 5000);
  process.stdout.write(`soak: minting ${total} responses (${users} users, each assertion distinct) with samlify… `);
  const forms = await mintForms(idp, total, { users, validForMs: (seconds + 900) * 1000 });
  console.log('done');
  await fire(server.port, forms.slice(0, 50), { connections: 2 });
  const start = server.rss();
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(server.rss().reduce((s, r) => s + r.bytes, 0)), 10_000);
  const { result, statuses } = await fire(server.port, forms.slice(50), { connections: 4, overallRate: rate });
  clearInterval(sampler);
  const end = server.rss();
  const sum = (xs: { bytes: number }[]) => xs.reduce((s, r) => s + r.bytes, 0);
  console.log(`soak: ${result.duration.toFixed(0)} s at ${rate}/s, ${okCount(statuses)} logins answered 303 (statuses ${JSON.stringify(Object.fromEntries(statuses))}, errors ${result.errors}); p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`);
  for (const s of start) {
    const e = end.find((x) => x.pid === s.pid);
    console.log(`  pid ${s.pid}: RSS ${MB(s.bytes)} → ${e ? MB(e.bytes) : 'gone'} (drift ${e ? MB(e.bytes - s.bytes) : 'n/a'})`);
  }
  console.log(`  all server processes: ${MB(sum(start))} → ${MB(sum(end))} (drift ${MB(sum(end) - sum(start))}; min ${MB(Math.min(...samples, sum(end)))}, max ${MB(Math.max(...samples, sum(end)))} over ${samples.length} samples)`);
}

const idp = benchIdp(PUBLIC_URL);
const dir = mkdtempSync(path.join(os.tmpdir(), 'allot-bench-load-'));
const database = await createDatabase();
let server: BenchServer | undefined;
try {
  server = await serve(idp, database.url, dir);
  if (args.soak) await soak(idp, server);
  else await load(idp, server);
} finally {
  await server?.stop();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
}
