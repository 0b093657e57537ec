/**
 * Throughput of the allocation application service (SPEC §4): full decisions, each one database
 * transaction (lock user, load groups/holdings/configuration/pools, decide, move seats, write the
 * user and an audit row), on the embedded PGlite and, with DATABASE_URL, on PostgreSQL.
 * Run: npx tsx bench/service.ts [users] [concurrency]   (DATABASE_URL=postgresql://… for PostgreSQL;
 * the bench creates and drops its own database there).
 */
import { createScratchDatabase } from './lib/scratch-database.js';
import { createAllocationService } from '../src/allocation/service.js';
import { createDb, type Db } from '../src/db/client.js';
import { createMetrics } from '../src/http/metrics.js';
import { systemClock } from '../src/shared/clock.js';
import { createLogger } from '../src/shared/logger.js';

const USERS = Number(process.argv[2] ?? 2000);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const MAPPINGS = 200;
const PRIMARIES = ['bot-creator', 'citizen-developer', 'attended-bot-runner', 'unattended-bot-runner', 'legacy-runner'];
const ADDONS = ['bot-insight', 'process-discovery', 'iq-bot', 'document-automation', 'api-tasks', 'ai-agent', 'co-pilot'];

async function seed(db: Db): Promise<string[]> {
  await db.prisma.license.createMany({
    data: [...PRIMARIES, ...ADDONS].map((key, i) => ({
      key,
      name: key,
      kind: PRIMARIES.includes(key) ? ('primary' as const) : ('addon' as const),
      // Some pools run out during the bench, so failing bundles and waiting users are measured too.
      capacity: i % 4 === 0 ? Math.floor(USERS / 10) : USERS,
    })),
  });
  await db.prisma.groupMapping.createMany({
    data: Array.from({ length: MAPPINGS }, (_, i) => ({
      idpGroup: `grp-${i}`,
      roles: i === 0 ? ['AAE_Admin'] : ['AAE_Basic'],
      licenses: [PRIMARIES[i % PRIMARIES.length]!, ...(i % 3 === 0 ? [ADDONS[i % ADDONS.length]!] : [])],
      autoProvision: true,
    })),
  });
  const ids: string[] = [];
  for (let start = 0; start < USERS; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, USERS - start) }, (_, j) => {
      const n = start + j;
      return { nameId: `user${n}@example.com`, nameIdLower: `user${n}@example.com` };
    });
    const rows = await db.prisma.user.createManyAndReturn({ data: batch, select: { id: true } });
    const memberships = rows.flatMap((r, j) => {
      const n = start + j;
      // Three mapped groups and a handful of unmapped ones, as a directory would send.
      const groups = [`grp-${(n * 7) % MAPPINGS}`, `grp-${(n * 13 + 1) % MAPPINGS}`, `grp-${(n * 29 + 2) % MAPPINGS}`, `dept-${n % 50}`, `site-${n % 9}`];
      return [...new Set(groups)].map((groupName) => ({ userId: r.id, source: 'saml' as const, groupName }));
    });
    await db.prisma.membership.createMany({ data: memberships });
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

async function run(label: string, db: Db, concurrency: number): Promise<void> {
  const ids = await seed(db);
  const service = createAllocationService({
    db,
    logger: createLogger({ level: 'error', format: 'json', silent: true }),
    metrics: createMetrics({ defaultMetrics: false }),
    clock: systemClock,
  });
  // Warm-up: the first decisions compile queries and fill caches.
  for (const id of ids.slice(0, 50)) await service.decideUser(id, { actor: 'bench', action: 'bench' });
  const work = ids.slice(50);
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < work.length) {
        const id = work[next++]!;
        await service.decideUser(id, { actor: 'bench', action: 'bench' });
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = work.length / seconds;
  console.log(`${label}: ${work.length} decisions in ${seconds.toFixed(2)} s = ${Math.round(rate)} decisions/s (${((seconds * 1000) / work.length).toFixed(2)} ms each, concurrency ${concurrency})`);
}

const pglite = await createDb({ dataDir: 'memory://' });
try {
  await run('PGlite (embedded)', pglite, 1);
} finally {
  await pglite.close();
}

const url = process.env['DATABASE_URL'];
if (url) {
  const scratch = await createScratchDatabase(url, 'allot_bench');
  const db = await createDb({ url: scratch.url, dataDir: 'unused', migrate: true, poolSize: CONCURRENCY + 2 });
  try {
    await run('PostgreSQL', db, CONCURRENCY);
  } finally {
    await db.close();
    await scratch.drop();
  }
} else {
  console.log('PostgreSQL: skipped (set DATABASE_URL=postgresql://… to measure it)');
}
