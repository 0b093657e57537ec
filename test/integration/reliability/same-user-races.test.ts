/**
 * SPEC §4 "one user's concurrent logins and SCIM calls serialise on that user's row" (issue 9):
 * the same user logs in on both instances while a SCIM PATCH removes them from their group and an
 * administrator revokes their manual license. The end state must be one that some serial order of
 * the four calls produces; the serial outcomes are computed by running every order, one call at a
 * time, on users prepared the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../src/allocation/invariants.js';
import { createTestIdp } from '../../helpers/idp.js';
import { seedLicenses, seedMapping } from '../../helpers/seed.js';
import { createTestDb, usingPostgres, type TestDb } from '../../helpers/test-db.js';
import { api, login, startCluster, type Cluster } from './cluster.js';

const SCIM = 'application/scim+json';
const ROUNDS = 8;
type Op = 'loginA' | 'loginB' | 'scimRemove' | 'adminRevoke';

/** The 12 distinct orders of the four calls (the two logins are interchangeable). */
function serialOrders(): Op[][] {
  const ops: Op[] = ['loginA', 'loginB', 'scimRemove', 'adminRevoke'];
  const out: Op[][] = [];
  const seen = new Set<string>();
  const permute = (rest: Op[], acc: Op[]): void => {
    if (rest.length === 0) {
      const key = acc.map((o) => (o === 'loginB' ? 'loginA' : o)).join();
      if (!seen.has(key)) {
        seen.add(key);
        out.push(acc);
      }
      return;
    }
    rest.forEach((o, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...acc, o]));
  };
  permute(ops, []);
  return out;
}

describe.skipIf(!usingPostgres())('same-user races across two instances', () => {
  let db: TestDb;
  let cluster: Cluster;
  const idp = createTestIdp();
  let groupId = '';

  const a = () => cluster.instances[0]!.base;
  const b = () => cluster.instances[1]!.base;

  /** A SCIM-provisioned user in the SCIM group Engineers (bot-creator) with a manual bot-insight. */
  async function prepare(userName: string): Promise<string> {
    const created = await api(a(), cluster.tokens.scim, 'POST', '/scim/v2/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true }, SCIM);
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    const add = await api(b(), cluster.tokens.scim, 'PATCH', `/scim/v2/Groups/${groupId}`, patchOp('add', 'members', [{ value: id }]), SCIM);
    expect(add.status).toBeLessThan(300);
    const assign = await api(a(), cluster.tokens.admin, 'POST', `/api/v1/users/${id}/licenses`, { key: 'bot-insight' });
    expect(assign.status).toBeLessThan(300);
    expect(await held(id)).toEqual(['bot-creator:mapping', 'bot-insight:manual']);
    return id;
  }

  const patchOp = (op: string, path: string, value?: unknown) => ({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op, path, ...(value === undefined ? {} : { value }) }],
  });

  async function run(op: Op, userId: string, userName: string): Promise<number> {
    switch (op) {
      case 'loginA':
      case 'loginB':
        return (await login(op === 'loginA' ? a() : b(), idp, { nameId: userName, groups: ['Citizens'] })).status;
      case 'scimRemove':
        return (await api(a(), cluster.tokens.scim, 'PATCH', `/scim/v2/Groups/${groupId}`, patchOp('remove', `members[value eq "${userId}"]`), SCIM)).status;
      case 'adminRevoke':
        return (await api(b(), cluster.tokens.admin, 'DELETE', `/api/v1/users/${userId}/licenses/bot-insight`)).status;
    }
  }

  async function held(userId: string): Promise<string[]> {
    const rows = await db.prisma.allocation.findMany({ where: { userId }, orderBy: { licenseKey: 'asc' } });
    return rows.map((r) => `${r.licenseKey}:${r.origin}`);
  }

  /** Everything a serial order determines about the user, without ids or times. */
  async function state(userId: string): Promise<string> {
    const user = await db.prisma.user.findUniqueOrThrow({ where: { id: userId } });
    const memberships = await db.prisma.membership.findMany({ where: { userId }, orderBy: [{ source: 'asc' }, { groupName: 'asc' }] });
    const scimGroups = await db.prisma.scimGroupMember.count({ where: { userId } });
    return JSON.stringify({
      licenses: await held(userId),
      roles: [...user.roles].sort(),
      active: user.active,
      waiting: user.waitingSince !== null,
      memberships: memberships.map((m) => `${m.source}:${m.groupName}`),
      scimGroups,
    });
  }

  let serial = new Set<string>();

  beforeAll(async () => {
    db = await createTestDb();
    await seedLicenses(db, [
      { key: 'bot-creator', capacity: 200 },
      { key: 'citizen-developer', capacity: 200 },
      { key: 'bot-insight', kind: 'addon', capacity: 200 },
    ]);
    await seedMapping(db, { idpGroup: 'Engineers', licenses: ['bot-creator'] });
    await seedMapping(db, { idpGroup: 'Citizens', licenses: ['citizen-developer'] });
    cluster = await startCluster(db, idp);
    const group = await api(a(), cluster.tokens.scim, 'POST', '/scim/v2/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Engineers' }, SCIM);
    expect(group.status).toBe(201);
    groupId = (group.body as { id: string }).id;

    const outcomes = new Set<string>();
    for (const [i, order] of serialOrders().entries()) {
      const userName = `serial${i}@example.com`;
      const id = await prepare(userName);
      for (const op of order) expect(await run(op, id, userName)).toBeLessThan(400);
      outcomes.add(await state(id));
    }
    serial = outcomes;
  }, 600_000);

  afterAll(async () => {
    await cluster?.stop();
    await db?.destroy();
  });

  it('ends, round after round, in a state some serial order produces', async () => {
    expect(serialOrders()).toHaveLength(12);
    for (let round = 0; round < ROUNDS; round++) {
      const userName = `race${round}@example.com`;
      const id = await prepare(userName);
      const ops: Op[] = ['loginA', 'loginB', 'scimRemove', 'adminRevoke'];
      const statuses = await Promise.all(ops.map((op) => run(op, id, userName)));
      expect(statuses.every((s) => s < 400), `round ${round}: ${statuses.join(',')}`).toBe(true);
      expect([...serial], `round ${round}`).toContain(await state(id));
    }
    expect(await checkInvariants(db.prisma)).toEqual([]);
  });

  it('creates one user, not two, when a new user logs in on both instances at once', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `twin${i}@example.com`);
    const results = await Promise.all(names.flatMap((nameId) => [login(a(), idp, { nameId, groups: ['Citizens'] }), login(b(), idp, { nameId, groups: ['Citizens'] })]));
    expect(results.map((r) => r.status)).toEqual(results.map(() => 303));
    for (const nameId of names) {
      const users = await db.prisma.user.findMany({ where: { nameId }, include: { memberships: true, allocations: true } });
      expect(users).toHaveLength(1);
      expect(users[0]!.memberships.map((m) => `${m.source}:${m.groupName}`)).toEqual(['saml:Citizens']);
      expect(users[0]!.allocations.map((x) => x.licenseKey)).toEqual(['citizen-developer']);
      expect(await db.prisma.auditEvent.count({ where: { userId: users[0]!.id, action: 'login' } })).toBe(2);
    }
    expect(await checkInvariants(db.prisma)).toEqual([]);
  });
});
