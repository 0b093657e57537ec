/**
 * Throughput and memory of a full redistribution (SPEC §3, issue 8): N users with memberships and
 * allocations generated in SQL, then one mapping change moves about 30% of them; the job runs with
 * the default batch size. Prints users/s, RSS before and peak during the job, and the time of a
 * raw-SQL baseline that only reads the same pages (users, groups, allocations).
 *
 * Run: npm run bench:redistribute -- [--users 100000] [--1m] [--backend pglite|postgres|both] [--batch-size 500]
 *      [--node-flags=<flag> …]
 * PostgreSQL needs DATABASE_URL or TEST_DATABASE_URL (the bench creates and drops its own database).
 * On PostgreSQL the job is run by the real CLI, `allot redistribute --json` (compiled to dist/ first),
 * in its own process: its RSS and CPU are read from /proc, with the CPU of the PostgreSQL backends
 * serving it. On PGlite the job runs in this process (one process per data directory).
 */
import { createScratchDatabase } from './lib/scratch-database.js';
import { buildCli, runCliRedistribution } from './lib/cli-job.js';
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
/** Node flags for the `allot redistribute` process (PostgreSQL), e.g. --node-flags=--max-old-space-size=128. */
const NODE_FLAGS = args.filter((a) => a.startsWith('--node-flags=')).map((a) => a.slice('--node-flags='.length));
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
  /** process.memoryUsage() when the RSS peaked. */
  atPeak: NodeJS.MemoryUsage;
  /** CPU seconds of the job's process while it ran. */
  cpuSeconds: number;
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
  const totals = (done.summary as { totals: { moved: number } }).totals;
  return { status: done.status, seconds, moved: totals.moved, rssBefore, peak, atPeak, cpuSeconds, phases: [...phases] };
}

async function run(label: string, db: Db, url?: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  await generate(db, USERS);
  const genSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const readSeconds = await baseline(db);
  const head = `${label}, ${USERS} users, batch ${BATCH}${url && NODE_FLAGS.length > 0 ? `, node ${NODE_FLAGS.join(' ')}` : ''}`;
  const tail = `raw-SQL read baseline ${readSeconds.toFixed(1)} s; data generated in ${genSeconds.toFixed(1)} s`;
  if (url) {
    const f = await runCliRedistribution(url, BATCH, NODE_FLAGS);
    console.log(
      `${head}: \`allot redistribute\` ${f.status} in ${f.seconds.toFixed(1)} s = ${Math.round(USERS / f.seconds)} users/s; moved ${f.moved} (${pct(f.moved, USERS)}); ` +
        `job process RSS ${MB(f.rssAtStart)} when the job started, peak ${MB(f.peak)} (VmHWM)${f.launcherRss ? `, launcher ${MB(f.launcherRss)}` : ''}; ${tail}; invariants ${await invariants(db)}`,
    );
    const dbCpu = f.dbCpuSeconds === null ? 'not measured' : `${f.dbCpuSeconds.toFixed(1)} s`;
    console.log(`  CPU: allot process ${f.cpuSeconds.toFixed(1)} s (startup included), its PostgreSQL backends ${dbCpu}; job wall time ${f.seconds.toFixed(1)} s`);
    return;
  }
  const f = await runJob(db);
  console.log(
    `${head}: ${f.status} in ${f.seconds.toFixed(1)} s = ${Math.round(USERS / f.seconds)} users/s; moved ${f.moved} (${pct(f.moved, USERS)}); ` +
      `this process: RSS before ${MB(f.rssBefore)}, peak ${MB(f.peak)} (+${MB(f.peak - f.rssBefore)}); ${tail}; invariants ${await invariants(db)}`,
  );
  const m = f.atPeak;
  console.log(`  memory at the peak: heap ${MB(m.heapUsed)} used of ${MB(m.heapTotal)}, external ${MB(m.external)} (array buffers ${MB(m.arrayBuffers)}), rest of the RSS ${MB(m.rss - m.heapTotal - m.external)}`);
  console.log(`  CPU of this process during the job ${f.cpuSeconds.toFixed(1)} s; seconds per phase (batches ending in it): ${f.phases.map(([p, t]) => `${p} ${t.toFixed(1)}`).join(', ')}`);
}

const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(0)}%`;

async function invariants(db: Db): Promise<string> {
  const violations = await checkInvariants(db.prisma);
  return violations.length === 0 ? 'hold' : `FAIL ${JSON.stringify(violations)}`;
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
  buildCli();
  const scratch = await createScratchDatabase(PG_URL, 'allot_bench');
  const db = await createDb({ url: scratch.url, dataDir: 'unused', migrate: true, poolSize: 4, transactionTimeoutMs: 120_000 });
  try {
    await run('PostgreSQL', db, scratch.url);
  } finally {
    await db.close();
    await scratch.drop();
  }
}
