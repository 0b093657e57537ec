/**
 * Losing PostgreSQL under a running allot (issue 9, SPEC §4/§6): a backend terminated in the middle
 * of a request, every connection of the server terminated under load, and an outage of the whole
 * server (a TCP proxy the test cuts; the real `pg_ctlcluster` restart runs with
 * ALLOT_TEST_PG_RESTART=1, as CI does, because it disturbs every other database user).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../src/allocation/invariants.js';
import { createTestIdp } from '../../helpers/idp.js';
import { seedLicenses, seedMapping, seedUser } from '../../helpers/seed.js';
import { createTestDb, usingPostgres, type TestDb } from '../../helpers/test-db.js';
import { api, login, mapLimit, readyStatus, startCluster, until, type Cluster } from './cluster.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

const idp = createTestIdp();

async function seed(db: TestDb): Promise<void> {
  await seedLicenses(db, [
    { key: 'bot-creator', capacity: 500 },
    { key: 'bot-insight', kind: 'addon', capacity: 500 },
  ]);
  await seedMapping(db, { idpGroup: 'Engineers', licenses: ['bot-creator'] });
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {}); // a restart may kill it; the test notices through its queries
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/** Login rows of one user are all there or none is: user, saml memberships, login audit row. */
async function loginRows(db: TestDb, nameId: string): Promise<{ users: number; memberships: number; audit: number; seats: number }> {
  const user = await db.prisma.user.findUnique({ where: { nameId }, include: { memberships: true, allocations: true } });
  return {
    users: user ? 1 : 0,
    memberships: user?.memberships.length ?? 0,
    audit: await db.prisma.auditEvent.count({ where: { subject: nameId, action: 'login' } }),
    seats: user?.allocations.length ?? 0,
  };
}

describe.skipIf(!usingPostgres())('a backend terminated in the middle of a request', () => {
  let db: TestDb;
  let cluster: Cluster;
  const app = `allot_fault_${Math.random().toString(36).slice(2, 8)}`;
  const base = () => cluster.instances[0]!.base;

  beforeAll(async () => {
    db = await createTestDb();
    await seed(db);
    cluster = await startCluster(db, idp, { instances: 1, applicationName: app });
  }, 300_000);
  afterAll(async () => {
    await cluster?.stop();
    await db?.destroy();
  });

  /**
   * Holds `lockSql` in the test's own transaction so the request blocks inside its transaction
   * (after its first writes), terminates the server backend that waits, then lets go.
   */
  async function terminateWhileBlocked<T>(lockSql: string, request: () => Promise<T>): Promise<T> {
    return withClient(db.url!, async (holder) => {
      await holder.query('BEGIN');
      await holder.query(lockSql);
      const pending = request();
      let settled = false;
      void pending.finally(() => (settled = true));
      let pid: number | undefined;
      await until(async () => {
        if (settled) throw new Error(`the request finished before blocking: ${JSON.stringify(await pending)}`);
        const r = await holder.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' AND datname = current_database()`,
          [app],
        );
        pid = r.rows[0]?.pid;
        return pid !== undefined;
      }, 50, true);
      await withClient(db.url!, (killer) => killer.query('SELECT pg_terminate_backend($1)', [pid]));
      await holder.query('ROLLBACK');
      return pending;
    });
  }

  it('answers a login 503 without writing any of it, and the next login succeeds', async () => {
    const nameId = 'victim@example.com';
    const res = await terminateWhileBlocked(`SELECT * FROM license WHERE key = 'bot-creator' FOR UPDATE`, () => login(base(), idp, { nameId, groups: ['Engineers'] }));
    expect(res.status).toBe(503);
    expect(res.body).toContain('temporarily unavailable');
    expect(await loginRows(db, nameId)).toEqual({ users: 0, memberships: 0, audit: 0, seats: 0 });
    expect((await db.prisma.license.findUniqueOrThrow({ where: { key: 'bot-creator' } })).used).toBe(0);

    const again = await login(base(), idp, { nameId, groups: ['Engineers'] });
    expect(again.status).toBe(303);
    expect(await loginRows(db, nameId)).toEqual({ users: 1, memberships: 1, audit: 1, seats: 1 });
    expect(await checkInvariants(db.prisma)).toEqual([]);
  });

  it('answers a manual assignment 503 without writing it, and the next one succeeds', async () => {
    const userId = await seedUser(db, 'assignee@example.com');
    // Open finding (docs/decisions.md, reliability section): the very first admin write of a fresh instance,
    // made while another session holds the license row, did not reach the database for over a
    // minute in some runs; one admin write beforehand avoids it. Not the fault under test here.
    const warm = await seedUser(db, 'warm@example.com');
    expect((await api(base(), cluster.tokens.admin, 'POST', `/api/v1/users/${warm}/licenses`, { key: 'bot-creator' })).status).toBe(200);
    const assign = () => api(base(), cluster.tokens.admin, 'POST', `/api/v1/users/${userId}/licenses`, { key: 'bot-insight' });
    const res = await terminateWhileBlocked(`SELECT * FROM license WHERE key = 'bot-insight' FOR UPDATE`, assign);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: { code: 'DATABASE_UNAVAILABLE' } });
    expect(await db.prisma.allocation.count({ where: { userId } })).toBe(0);
    expect(await db.prisma.auditEvent.count({ where: { userId, action: 'user.license.assign' } })).toBe(0);

    expect((await assign()).status).toBeLessThan(300);
    expect(await db.prisma.allocation.count({ where: { userId, origin: 'manual' } })).toBe(1);
    expect(await checkInvariants(db.prisma)).toEqual([]);
  });

  it('survives every server connection being terminated under load: 303 or 503, all or nothing, then back', async () => {
    const names = Array.from({ length: 60 }, (_, i) => `storm${i}@example.com`);
    let killing = true;
    const killer = (async () => {
      while (killing) {
        await withClient(db.url!, (c) => c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [app]));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const statuses = await mapLimit(names, 10, async (nameId) => (await login(base(), idp, { nameId, groups: ['Engineers'] })).status);
    killing = false;
    await killer;
    expect(statuses.filter((s) => s !== 303 && s !== 503)).toEqual([]);
    for (const [i, nameId] of names.entries()) {
      const rows = await loginRows(db, nameId);
      // A 503 may come after the commit (the session write lost its connection); never half a login.
      expect([JSON.stringify({ users: 0, memberships: 0, audit: 0, seats: 0 }), JSON.stringify({ users: 1, memberships: 1, audit: 1, seats: 1 })], `${nameId} (${statuses[i]})`).toContain(
        JSON.stringify(rows),
      );
    }
    await until(async () => (await readyStatus(base())) === 200);
    const after = await login(base(), idp, { nameId: 'after-storm@example.com', groups: ['Engineers'] });
    expect(after.status).toBe(303);
    expect(await checkInvariants(db.prisma)).toEqual([]);
  });
});

describe.skipIf(!usingPostgres())('a database outage (TCP proxy cut and restored)', () => {
  let db: TestDb;
  let proxy: TcpProxy;
  let cluster: Cluster;
  const base = () => cluster.instances[0]!.base;

  beforeAll(async () => {
    db = await createTestDb();
    await seed(db);
    proxy = await startTcpProxy(Number(new URL(db.url!).port || 5432));
    const viaProxy = new URL(db.url!);
    viaProxy.port = String(proxy.port);
    cluster = await startCluster(db, idp, { instances: 1, databaseUrl: viaProxy.toString() });
  }, 300_000);
  afterAll(async () => {
    await cluster?.stop();
    await proxy?.close();
    await db?.destroy();
  });

  it('goes 503 on /readyz while the database is gone and back to 200 without a restart', async () => {
    const pid = cluster.instances[0]!.proc.child.pid;
    expect(await readyStatus(base())).toBe(200);
    await proxy.cut();
    await until(async () => (await readyStatus(base())) === 503);
    const during = await login(base(), idp, { nameId: 'during@example.com', groups: ['Engineers'] });
    expect(during.status).toBe(503);
    expect((await fetch(`${base()}/healthz`)).status).toBe(200);

    await proxy.restore();
    await until(async () => (await readyStatus(base())) === 200);
    const after = await login(base(), idp, { nameId: 'after@example.com', groups: ['Engineers'] });
    expect(after.status).toBe(303);
    expect(await loginRows(db, 'during@example.com')).toEqual({ users: 0, memberships: 0, audit: 0, seats: 0 });
    expect(cluster.instances[0]!.proc.child.exitCode).toBeNull();
    expect(cluster.instances[0]!.proc.child.pid).toBe(pid);
  });
});

const restartWanted = process.env['ALLOT_TEST_PG_RESTART'] === '1';

describe.skipIf(!usingPostgres() || !restartWanted)('PostgreSQL restarted under load (ALLOT_TEST_PG_RESTART=1)', () => {
  let db: TestDb;
  let cluster: Cluster;
  const base = () => cluster.instances[0]!.base;
  const version = (() => {
    try {
      return readdirSync('/etc/postgresql').sort().at(-1);
    } catch {
      return undefined;
    }
  })();
  const pgctl = (action: 'stop' | 'start') => execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version!, 'main', action], { stdio: 'pipe' });

  beforeAll(async () => {
    db = await createTestDb();
    await seed(db);
    cluster = await startCluster(db, idp, { instances: 1 });
  }, 300_000);
  afterAll(async () => {
    await cluster?.stop();
    await db?.destroy();
  });

  it('goes 503 on /readyz during the restart and back to 200 without restarting allot', async () => {
    expect(version, 'pg_ctlcluster cluster version under /etc/postgresql').toBeDefined();
    let n = 0;
    let loading = true;
    const statuses: number[] = [];
    const load = (async () => {
      while (loading) statuses.push((await login(base(), idp, { nameId: `restart${n++}@example.com`, groups: ['Engineers'] })).status);
    })();
    // Stop, observe, start: a one-step restart can be quicker than a readiness probe.
    pgctl('stop');
    try {
      await until(async () => (await readyStatus(base())) === 503);
    } finally {
      pgctl('start');
    }
    await until(async () => (await readyStatus(base())) === 200);
    loading = false;
    await load;
    expect(statuses.filter((s) => s !== 303 && s !== 503)).toEqual([]);
    console.log(`logins during the restart: ${statuses.filter((s) => s === 303).length} × 303, ${statuses.filter((s) => s === 503).length} × 503`);
    expect((await login(base(), idp, { nameId: 'after-restart@example.com', groups: ['Engineers'] })).status).toBe(303);
    expect(cluster.instances[0]!.proc.child.exitCode).toBeNull();
    expect(await checkInvariants(db.prisma)).toEqual([]);
  });
});
