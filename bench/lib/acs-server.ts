/**
 * The server side of bench/acs.ts: the ACS app (silent logger, real database) in a process of its
 * own, so the HTTP client's CPU is not charged to it. The bench forks it with node:cluster; it
 * answers 'cpu' with its process.cpuUsage() and 'exit' by exiting (which writes a --cpu-prof).
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { configSchema } from '../../src/config/schema.js';
import { createDb, type Db } from '../../src/db/client.js';
import { createApp } from '../../src/http/app.js';
import { createMetrics } from '../../src/http/metrics.js';
import { buildDeps } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { samlFeature } from '../../src/saml/feature.js';
import type { MintTarget } from '../../src/demo/mint.js';
import { floorApp } from './acs-floor.js';

export const PUBLIC_URL = 'http://127.0.0.1:3999';
export const target: MintTarget = {
  idpEntityId: 'https://idp.bench/entity',
  ssoUrl: 'https://idp.bench/sso',
  spEntityId: `${PUBLIC_URL}/saml/metadata`,
  acsUrl: `${PUBLIC_URL}/saml/acs`,
};

export async function seed(db: Db, users: number): Promise<void> {
  const keysOf = ['bot-creator', 'citizen-developer', 'attended-bot-runner', 'unattended-bot-runner', 'bot-insight', 'process-discovery'];
  await db.prisma.license.createMany({ data: keysOf.map((key) => ({ key, name: key, kind: key.startsWith('bot-insight') || key === 'process-discovery' ? ('addon' as const) : ('primary' as const), capacity: users * 2 })) });
  await db.prisma.groupMapping.createMany({
    data: Array.from({ length: 20 }, (_, i) => ({
      idpGroup: `grp-${i}`,
      roles: ['AAE_Basic'],
      licenses: [keysOf[i % 4]!, ...(i % 3 === 0 ? ['process-discovery'] : [])],
      autoProvision: true,
    })),
  });
}

function benchApp(db: Db, cert: string) {
  const config = configSchema.parse({
    env: 'production',
    publicUrl: PUBLIC_URL,
    database: { dataDir: 'memory://' },
    log: {},
    saml: { sp: {}, idp: { entityId: target.idpEntityId, ssoUrl: target.ssoUrl, certs: [cert] }, rateLimit: { windowMs: 60_000, max: 1_000_000 } },
    session: {},
    jobs: {},
    demo: { enabled: false },
    bootstrap: {},
  });
  const deps = buildDeps(config, db, createLogger({ level: 'error', format: 'json', silent: true }), systemClock, createMetrics({ defaultMetrics: false }));
  return createApp(deps, [samlFeature]);
}

export interface ServerEnv {
  /** PostgreSQL database already migrated and seeded by the bench; absent: an in-memory PGlite seeded here. */
  readonly BENCH_DB_URL?: string;
  /** Listen on this port (shared by cluster workers); absent: a free port, sent back in 'ready'. */
  readonly BENCH_PORT?: string;
  readonly BENCH_CERT: string;
  readonly BENCH_USERS: string;
  readonly BENCH_POOL: string;
  /** Serve the floor route (acs-floor.ts) with this many round trips instead of allot's app (PostgreSQL only). */
  readonly BENCH_FLOOR?: string;
}

const TICK_MS = 10; // USER_HZ 100 on Linux
/** CPU time of the main (JavaScript) thread in ms, from /proc (Linux); NaN elsewhere. */
export function mainThreadCpu(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const [utime, stime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number);
    return (utime! + stime!) * TICK_MS;
  } catch {
    return NaN;
  }
}

/** Runs in the forked process until the bench sends 'exit'. */
export async function runServer(env: ServerEnv): Promise<void> {
  const db = env.BENCH_DB_URL
    ? await createDb({ url: env.BENCH_DB_URL, dataDir: 'unused', migrate: false, poolSize: Number(env.BENCH_POOL) })
    : await createDb({ dataDir: 'memory://' });
  if (!env.BENCH_DB_URL) await seed(db, Number(env.BENCH_USERS));
  const floor = env.BENCH_FLOOR && env.BENCH_DB_URL ? floorApp(target, env.BENCH_CERT, env.BENCH_DB_URL, Number(env.BENCH_POOL), Number(env.BENCH_FLOOR)) : undefined;
  const server = (floor?.app ?? benchApp(db, env.BENCH_CERT)).listen(Number(env.BENCH_PORT ?? 0), '127.0.0.1', () => {
    process.send?.({ ready: (server.address() as AddressInfo).port });
  });
  process.on('message', (m) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage(), mainThread: mainThreadCpu() });
    if (m === 'exit') {
      server.closeAllConnections();
      server.close();
      void Promise.all([db.close(), floor?.close()]).finally(() => process.exit(0));
    }
  });
}
