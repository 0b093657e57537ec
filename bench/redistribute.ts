/**
 * Throughput and memory of a full redistribution (SPEC §3, issue 8): N users with memberships and
 * allocations generated in SQL, then one mapping change moves about 30% of them; the job runs with
 * the default batch size. Prints users/s, RSS before and peak during the job, and the time of a
 * raw-SQL baseline that only reads the same pages (users, groups, allocations).
 *
 * Run: npm run bench:redistribute -- [--users 100000] [--1m] [--backend pglite|postgres|both] [--batch-size 500]
 * PostgreSQL needs DATABASE_URL or TEST_DATABASE_URL (the bench creates and drops its own database).
 * On PostgreSQL the job runs in a child process that does nothing else, so its RSS is the job's
 * (plus Node, the Prisma client and the app's modules), not the generator's or the baseline's.
 */
import { createScratchDatabase } from './lib/scratch-database.js';
import { spawnSync } from 'node:child_process';
import { Prisma } from '../src/generated/prisma/client.js';
import { createAllocationService } from '../src/allocation/service.js';
import { checkInvariants } from '../src/allocation/invariants.js';
import { createDb, type Db } from '../src/db/client.js';
import { createMetrics } from '../src/http/metrics.js';
import { loadPage, type Keyset } from '../src/jobs/batch-load.js';
import { createJobService } from '../src/jobs/service.js';
import { systemClock } from '../src/shared/clock.js';
import { createLogger } from '../src/shared/logger.js';
import { generate } from './redistribute-data.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const USERS = args.includes('--1m') ? 1_000_000 : Number(arg('--users') ?? 100_000);
const BATCH = Number(arg('--batch-size') ?? 500);
const PG_URL = process.env['DATABASE_URL'] ?? process.env['TEST_DATABASE_URL'];
const BACKEND = arg('--backend') ?? (PG_URL ? 'both' : 'pglite');

const MB = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

/** Reads the same pages the job reads (users, groups, allocations), nothing else. */
async function baseline(db: Db): Promise<number> {
  const started = process.hrtime.bigint();
  let after: Keyset | null = null;
  for (;;) {
    const page = await db.prisma.$transaction((tx) => loadPage(tx, Prisma.sql`TRUE`, after, BATCH, false));
    if (page.length === 0) break;
    after = page[page.length - 1]!.key;
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

interface JobFigures {
  status: string;
  seconds: number;
  moved: number;
  rssBefore: number;
  peak: number;
  heapUsedAtPeak: number;
  /** process.memoryUsage() when the RSS peaked. */
  atPeak: NodeJS.MemoryUsage;
  /** CPU seconds of the job's process while it ran. */
  cpuSeconds: number;
  /** CPU seconds of the database server processes serving the job's connections (PostgreSQL only). */
  dbCpuSeconds: number | null;
  phases: [string, number][];
}

/** Runs one full redistribution on `db` and measures it (in this process). */
async function runJob(db: Db): Promise<JobFigures> {
  const logger = createLogger({ level: 'error', format: 'json', silent: true });
  const metrics = createMetrics({ defaultMetrics: false });
  const allocation = createAllocationService({ db, logger, metrics, clock: systemClock });
  const phases = new Map<string, number>();
  let last = process.hrtime.bigint();
  const hooks = {
    afterBatch: ({ phase }: { phase: string }) => {
      const now = process.hrtime.bigint();
      phases.set(phase, (phases.get(phase) ?? 0) + Number(now - last) / 1e9);
      last = now;
    },
  };
  const jobs = createJobService({ db, logger, metrics, clock: systemClock, allocation }, { batchSize: BATCH, staleAfterMs: 60_000, pollIntervalMs: 60_000, hooks });
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  let atPeak = process.memoryUsage();
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak) [peak, atPeak] = [m.rss, m];
  }, 50);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  last = started;
  const job = await jobs.startRedistribution({ scope: { all: true }, redistributeManual: false, dryRun: false }, 'bench');
  await jobs.idle();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  clearInterval(sampler);
  const done = await jobs.get(job.id);
  await jobs.stop();
  const dbCpuSeconds = await backendCpuSeconds(db);
  const totals = (done.summary as { totals: { moved: number } }).totals;
  return { status: done.status, seconds, moved: totals.moved, rssBefore, peak, heapUsedAtPeak: atPeak.heapUsed, atPeak, cpuSeconds, dbCpuSeconds, phases: [...phases] };
}

const JOB_APP = 'allot-bench-job';

/**
 * CPU time of the PostgreSQL backends serving this process's connections (marked with
 * application_name): utime + stime from /proc, in clock ticks of 1/100 s. Null on PGlite or when
 * /proc is not readable (the server on another machine).
 */
async function backendCpuSeconds(db: Db): Promise<number | null> {
  if (db.kind !== 'postgres') return null;
  const rows = await db.prisma.$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE application_name = ${JOB_APP}`;
  try {
    const { readFileSync } = await import('node:fs');
    let ticks = 0;
    for (const { pid } of rows) {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks / 100;
  } catch {
    return null;
  }
}

/** The job alone in a child process (PostgreSQL: both processes reach the same database). */
function runJobInChild(url: string): JobFigures {
  const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1] as string, '--job-only', url, '--users', String(USERS), '--batch-size', String(BATCH)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{')) throw new Error(`job process failed (${child.status}): ${child.stdout}`);
  return JSON.parse(line) as JobFigures;
}

async function run(label: string, db: Db, url?: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  await generate(db, USERS);
  const genSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const readSeconds = await baseline(db);
  const f = url ? runJobInChild(url) : await runJob(db);
  const violations = await checkInvariants(db.prisma);
  console.log(
    `${label}, ${USERS} users, batch ${BATCH}: ${f.status} in ${f.seconds.toFixed(1)} s = ${Math.round(USERS / f.seconds)} users/s; ` +
      `moved ${f.moved} (${((100 * f.moved) / USERS).toFixed(0)}%); ${url ? 'job process' : 'this process'}: RSS before ${MB(f.rssBefore)}, peak ${MB(f.peak)} (+${MB(f.peak - f.rssBefore)}, heap used at peak ${MB(f.heapUsedAtPeak)}); ` +
      `raw-SQL read baseline ${readSeconds.toFixed(1)} s; data generated in ${genSeconds.toFixed(1)} s; invariants ${violations.length === 0 ? 'hold' : `FAIL ${JSON.stringify(violations)}`}`,
  );
  const dbCpu = f.dbCpuSeconds === null ? 'not measured' : `${f.dbCpuSeconds.toFixed(1)} s (${((100 * f.dbCpuSeconds) / f.seconds).toFixed(0)}%)`;
  console.log(`  CPU during the job: job process ${f.cpuSeconds.toFixed(1)} s (${((100 * f.cpuSeconds) / f.seconds).toFixed(0)}% of its wall time), its PostgreSQL backends ${dbCpu}`);
  const m = f.atPeak;
  console.log(`  memory at the peak: heap ${MB(m.heapUsed)} used of ${MB(m.heapTotal)}, external ${MB(m.external)} (array buffers ${MB(m.arrayBuffers)}), rest of the RSS ${MB(m.rss - m.heapTotal - m.external)}`);
  console.log(`  seconds per phase (batches ending in it): ${f.phases.map(([p, t]) => `${p} ${t.toFixed(1)}`).join(', ')}`);
}

const JOB_ONLY = arg('--job-only');
if (JOB_ONLY) {
  const url = new URL(JOB_ONLY);
  url.searchParams.set('application_name', JOB_APP);
  const db = await createDb({ url: url.toString(), dataDir: 'unused', poolSize: 4, transactionTimeoutMs: 120_000 });
  try {
    console.log(JSON.stringify(await runJob(db)));
  } finally {
    await db.close();
  }
  process.exit(0);
}

if (BACKEND === 'pglite' || BACKEND === 'both') {
  const db = await createDb({ dataDir: 'memory://', transactionTimeoutMs: 120_000 });
  try {
    await run('PGlite', db);
  } finally {
    await db.close();
  }
}

if (BACKEND === 'postgres' || BACKEND === 'both') {
  if (!PG_URL) throw new Error('PostgreSQL: set DATABASE_URL or TEST_DATABASE_URL');
  const scratch = await createScratchDatabase(PG_URL, 'allot_bench');
  const db = await createDb({ url: scratch.url, dataDir: 'unused', migrate: true, poolSize: 4, transactionTimeoutMs: 120_000 });
  try {
    await run('PostgreSQL', db, scratch.url);
  } finally {
    await db.close();
    await scratch.drop();
  }
}
