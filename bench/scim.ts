/**
 * SCIM throughput over real HTTP on 127.0.0.1: users created one request at a time (as Entra and
 * Okta do), each a full decision transaction; then one group PATCH adding every user, timed until
 * it answers and until the `scim.members` job has converged every allocation. Runs on the embedded
 * PGlite and, with DATABASE_URL, on PostgreSQL (in a database it creates and drops).
 * Run: npm run bench:scim -- [users]   (default 1000)
 */
import { createScratchDatabase } from './lib/scratch-database.js';
import { createToken } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config/index.js';
import { createDb, type Db } from '../src/db/client.js';
import { createApp } from '../src/http/app.js';
import { createMetrics } from '../src/http/metrics.js';
import { listen } from '../src/http/server.js';
import { buildDeps, CONFIG_DIR } from '../src/main.js';
import { scimFeature } from '../src/scim/routes.js';
import { systemClock } from '../src/shared/clock.js';
import { createLogger } from '../src/shared/logger.js';

const USERS = Number(process.argv[2] ?? 1000);
const JSON_TYPE = 'application/scim+json';

async function run(label: string, db: Db): Promise<void> {
  const logger = createLogger({ level: 'error', format: 'json', silent: true });
  const config = loadConfig({ env: { NODE_ENV: 'test' }, configDir: CONFIG_DIR });
  const deps = buildDeps(config, db, logger, systemClock, createMetrics({ defaultMetrics: false }));
  await db.prisma.license.createMany({
    data: [
      { key: 'citizen-developer', name: 'Citizen Developer', kind: 'primary', capacity: USERS },
      { key: 'bot-insight', name: 'Bot Insight', kind: 'addon', capacity: USERS },
    ],
  });
  await db.prisma.groupMapping.create({ data: { idpGroup: 'Dev1', roles: ['AAE_Basic'], licenses: ['citizen-developer', 'bot-insight'] } });
  const { token } = await createToken(db, 'bench', 'scim');
  const http = await listen(createApp(deps, [scimFeature]), 0, '127.0.0.1', logger);
  const base = `http://127.0.0.1:${http.port}/scim/v2`;
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; json: unknown }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': JSON_TYPE, Accept: JSON_TYPE },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as unknown) : undefined };
  };
  try {
    const ids: string[] = [];
    let t = performance.now();
    for (let i = 0; i < USERS; i++) {
      const r = await call('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: `user${i}@example.com`,
        name: { givenName: 'User', familyName: String(i) },
        emails: [{ primary: true, type: 'work', value: `user${i}@example.com` }],
        active: true,
      });
      if (r.status !== 201) throw new Error(`create answered ${r.status}: ${JSON.stringify(r.json)}`);
      ids.push((r.json as { id: string }).id);
    }
    const createMs = performance.now() - t;

    const group = await call('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Dev1' });
    const groupId = (group.json as { id: string }).id;
    t = performance.now();
    const patch = await call('PATCH', `/Groups/${groupId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Add', path: 'members', value: ids.map((value) => ({ value })) }],
    });
    const answerMs = performance.now() - t;
    if (patch.status !== 204) throw new Error(`group PATCH answered ${patch.status}`);
    const jobId = patch.headers.get('x-allot-job');
    for (;;) {
      const job = jobId ? await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } }) : null;
      if (!job || job.status === 'succeeded') break;
      if (job.status === 'failed') throw new Error(`job failed: ${String(job.error)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const convergeMs = performance.now() - t;
    const held = await db.prisma.allocation.count({ where: { licenseKey: 'citizen-developer' } });
    const fmt = (n: number): string => n.toFixed(0).padStart(6);
    console.log(`${label}: ${USERS} users`);
    console.log(`  create (POST /Users, sequential)   ${fmt(USERS / (createMs / 1000))} users/s   (${fmt(createMs)} ms)`);
    console.log(`  ${USERS}-member group PATCH answered in ${fmt(answerMs)} ms${jobId ? ' (job queued)' : ' (inline)'}`);
    console.log(`  group add converged                ${fmt(USERS / (convergeMs / 1000))} users/s   (${fmt(convergeMs)} ms, ${held}/${USERS} hold citizen-developer)`);
  } finally {
    await http.stop(1000);
  }
}

const pglite = await createDb({ dataDir: 'memory://' });
try {
  await run('PGlite (in memory)', pglite);
} finally {
  await pglite.close();
}

const url = process.env['DATABASE_URL'];
if (url) {
  const scratch = await createScratchDatabase(url, 'allot_bench_scim');
  const db = await createDb({ url: scratch.url, dataDir: 'unused', migrate: true, poolSize: 10 });
  try {
    await run('PostgreSQL', db);
  } finally {
    await db.close();
    await scratch.drop();
  }
} else {
  console.log('PostgreSQL: skipped (set DATABASE_URL=postgresql://… to measure it)');
}
