/**
 * Cost of the admin API calls that decide every user in memory (SPEC §3 admin row): a mapping
 * preview, a mapping edit (impact count and admin lock-out guard), and a users page, on the
 * embedded PGlite. Prints median milliseconds per call.
 * Run: npx tsx bench/admin-api.ts [users]
 */
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { loadConfig } from '../src/config/index.js';
import { createDb } from '../src/db/client.js';
import { createApp } from '../src/http/app.js';
import { createMetrics } from '../src/http/metrics.js';
import { buildDeps, CONFIG_DIR } from '../src/main.js';
import { features } from '../src/features.js';
import { createToken } from '../src/auth/tokens.js';
import { createLogger } from '../src/shared/logger.js';
import { systemClock } from '../src/shared/clock.js';

const USERS = Number(process.argv[2] ?? 5000);
const MAPPINGS = 200;
const PRIMARIES = ['bot-creator', 'citizen-developer', 'attended-bot-runner', 'unattended-bot-runner'];

const db = await createDb({ dataDir: 'memory://' });
const logger = createLogger({ level: 'error', format: 'json', silent: true });
const deps = buildDeps(loadConfig({ env: { NODE_ENV: 'test' }, configDir: CONFIG_DIR }), db, logger, systemClock, createMetrics({ defaultMetrics: false }));
const app = createApp(deps, features);
const { token } = await createToken(db, 'bench', 'admin');

await db.prisma.license.createMany({
  data: [...PRIMARIES, 'bot-insight', 'process-discovery'].map((key, i) => ({ key, name: key, kind: i < 4 ? ('primary' as const) : ('addon' as const), capacity: Math.floor(USERS / 3) })),
});
await db.prisma.groupMapping.createMany({
  data: Array.from({ length: MAPPINGS }, (_, i) => ({
    idpGroup: `grp-${i}`,
    roles: i === 0 ? ['AAE_Admin'] : ['AAE_Basic'],
    licenses: [PRIMARIES[i % 4]!, ...(i % 3 === 0 ? ['process-discovery'] : [])],
  })),
});
for (let start = 0; start < USERS; start += 1000) {
  const rows = await db.prisma.user.createManyAndReturn({
    data: Array.from({ length: Math.min(1000, USERS - start) }, (_, j) => ({ nameId: `user${start + j}`, nameIdLower: `user${start + j}` })),
    select: { id: true },
  });
  await db.prisma.membership.createMany({
    data: rows.flatMap((r, j) => [...new Set([`grp-${((start + j) * 7) % MAPPINGS}`, `grp-${((start + j) * 13 + 1) % MAPPINGS}`, `dept-${j % 40}`])].map((groupName) => ({ userId: r.id, source: 'saml' as const, groupName }))),
  });
}

async function time(label: string, runs: number, fn: () => Promise<unknown>): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label.padEnd(44)} median ${ms[Math.floor(runs / 2)]!.toFixed(1)} ms  (min ${ms[0]!.toFixed(1)}, max ${ms[runs - 1]!.toFixed(1)})`);
}

const auth = { Authorization: `Bearer ${token}` };
const mapping = (await db.prisma.groupMapping.findFirstOrThrow({ where: { idpGroup: 'grp-5' } })).id;
console.log(`admin API on PGlite: ${USERS} users, ${MAPPINGS} mappings`);
await time('POST /mappings/preview (capacity change)', 5, () => request(app).post('/api/v1/mappings/preview').set(auth).send({ capacity: { 'bot-creator': 10 } }).expect(200));
await time('PATCH /mappings/:id (impact + lock-out guard)', 5, () => request(app).patch(`/api/v1/mappings/${mapping}`).set(auth).send({ description: String(Math.random()) }).expect(200));
await time('GET /users?limit=100', 10, () => request(app).get('/api/v1/users?limit=100').set(auth).expect(200));
await time('GET /users?license=bot-creator&limit=50', 10, () => request(app).get('/api/v1/users?license=bot-creator&limit=50').set(auth).expect(200));
await db.close();
