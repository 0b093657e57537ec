import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobService, JobView, RedistributionParams } from '../../../src/jobs/types.js';
import { holdings, seedLicenses, seedMapping, seedUser, specLicenses } from '../../helpers/seed.js';
import { adminHarness, type Harness } from './harness.js';

/** Records what the API asked the job runner for; the runner itself is another component. */
function recordingJobs(): JobService & { started: RedistributionParams[] } {
  const started: RedistributionParams[] = [];
  const view = (params: RedistributionParams, actor: string): JobView => ({
    id: '11111111-1111-1111-1111-111111111111',
    kind: 'redistribution',
    status: 'queued',
    actor,
    params,
    processed: 0,
    total: 0,
    summary: {},
    error: null,
    createdAt: new Date(),
    startedAt: null,
    finishedAt: null,
  });
  return {
    started,
    startRedistribution: async (params, actor) => (started.push(params), view(params, actor)),
    get: async () => view({ scope: { all: true }, redistributeManual: false, dryRun: false }, 'x'),
    list: async () => ({ items: [], nextCursor: null }),
    cancel: async () => view({ scope: { all: true }, redistributeManual: false, dryRun: false }, 'x'),
    idle: async () => {},
  };
}

let h: Harness;
const jobs = recordingJobs();
beforeAll(async () => {
  h = await adminHarness({ jobs });
  await seedLicenses(h.db, specLicenses(2));
});
afterAll(async () => h.close());

describe('licenses', () => {
  it('lists license types with capacity, used and free', async () => {
    const r = await h.get('/api/v1/licenses').expect(200);
    expect(r.body).toHaveLength(6);
    expect(r.body[0]).toEqual({ key: 'attended-bot-runner', name: 'attended-bot-runner', kind: 'primary', capacity: 2, used: 0, free: 2 });
  });

  it('creates a license type with PUT and answers 201, then updates it with 200', async () => {
    const created = await h.send('put', '/api/v1/licenses/ai-agent', { name: 'AI Agent', kind: 'addon', capacity: 3 }).expect(201);
    expect(created.body).toEqual({ key: 'ai-agent', name: 'AI Agent', kind: 'addon', capacity: 3, used: 0, free: 3 });
    const updated = await h.send('put', '/api/v1/licenses/ai-agent', { name: 'AI Agent Pro', kind: 'addon', capacity: 5 }).expect(200);
    expect(updated.body.capacity).toBe(5);
    expect((await h.get('/api/v1/licenses/ai-agent').expect(200)).body.name).toBe('AI Agent Pro');
    const audit = await h.db.prisma.auditEvent.findMany({ where: { subject: 'ai-agent' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['license.create', 'admin:test-admin'],
      ['license.update', 'admin:test-admin'],
    ]);
  });

  it('answers 404 for an unknown key', async () => {
    const r = await h.get('/api/v1/licenses/nope').expect(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });

  it.each([
    ['a missing name', { kind: 'primary', capacity: 1 }, 'name'],
    ['a negative capacity', { name: 'x', kind: 'primary', capacity: -1 }, 'capacity'],
    ['a fractional capacity', { name: 'x', kind: 'primary', capacity: 1.5 }, 'capacity'],
    ['a string capacity', { name: 'x', kind: 'primary', capacity: '3' }, 'capacity'],
    ['an unknown kind', { name: 'x', kind: 'bundle', capacity: 1 }, 'kind'],
    ['an unknown field', { name: 'x', kind: 'primary', capacity: 1, seats: 4 }, ''],
  ])('refuses %s with 400 naming the field', async (_what, body, field) => {
    const r = await h.send('put', '/api/v1/licenses/x-license', body).expect(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    if (field) expect(r.body.error.message).toMatch(new RegExp(`^${field}:`));
    expect(r.body.error.details[0].in).toBe('body');
    expect(await h.db.prisma.license.findUnique({ where: { key: 'x-license' } })).toBeNull();
  });

  it('deletes an unused license type, and refuses one that is in use or named, with 409 saying why', async () => {
    await h.send('put', '/api/v1/licenses/spare', { name: 'Spare', kind: 'addon', capacity: 1 }).expect(201);
    expect((await h.send('delete', '/api/v1/licenses/spare').expect(200)).body.key).toBe('spare');
    await h.get('/api/v1/licenses/spare').expect(404);
    await h.send('delete', '/api/v1/licenses/spare').expect(404);
    const r = await h.send('delete', '/api/v1/licenses/bot-creator').expect(409);
    expect(r.body.error.message).toBe('bot-creator cannot be deleted: the preference order names it');
    expect((await h.send('delete', '/api/v1/licenses/bot-insight').expect(409)).body.error.message).toContain('it is the policy adminLicense');
  });

  it('refuses a malformed key in the path with 400', async () => {
    const r = await h.send('put', '/api/v1/licenses/Bad%20Key', { name: 'x', kind: 'primary', capacity: 1 }).expect(400);
    expect(r.body.error.message).toMatch(/^path key:/);
  });

  describe('capacity below the seats in use', () => {
    let ann: string;
    let ben: string;
    beforeAll(async () => {
      await seedMapping(h.db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
      ann = await seedUser(h.db, 'ann', ['Creators'], { createdAt: new Date('2024-01-01') });
      ben = await seedUser(h.db, 'ben', ['Creators'], { createdAt: new Date('2024-02-01') });
      await h.deps.allocation.decideUser(ann, { actor: 'test', action: 'test' });
      await h.deps.allocation.decideUser(ben, { actor: 'test', action: 'test' });
    });

    it('is refused with 409 saying how many seats are used', async () => {
      const r = await h.send('put', '/api/v1/licenses/bot-creator', { name: 'Bot Creator', kind: 'primary', capacity: 1 }).expect(409);
      expect(r.body.error.message).toContain('2 seats of bot-creator are in use');
      expect(r.body.error.details).toMatchObject({ used: 2, capacity: 1, toFree: 1 });
      expect((await h.get('/api/v1/licenses/bot-creator')).body.capacity).toBe(2);
    });

    it('refuses deleting it, naming every use', async () => {
      const r = await h.send('delete', '/api/v1/licenses/bot-creator').expect(409);
      expect(r.body.error.message).toBe('bot-creator cannot be deleted: 2 seats are in use; mappings Creators grant it; the preference order names it');
    });

    it('refuses a kind change while seats are in use', async () => {
      const r = await h.send('put', '/api/v1/licenses/bot-creator', { name: 'Bot Creator', kind: 'addon', capacity: 2 }).expect(409);
      expect(r.body.error.message).toContain('kind cannot change');
    });

    it('with force starts a redistribution that applies the cut (202); the job lowers the capacity', async () => {
      const r = await h.send('put', '/api/v1/licenses/bot-creator', { name: 'Bot Creator', kind: 'primary', capacity: 1, force: true }).expect(202);
      expect(r.body.license).toMatchObject({ key: 'bot-creator', name: 'Bot Creator', capacity: 2, used: 2 });
      expect(r.body.job).toMatchObject({ id: '11111111-1111-1111-1111-111111111111', status: 'queued', actor: 'admin:test-admin' });
      expect(jobs.started).toEqual([{ scope: { all: true }, redistributeManual: false, dryRun: false, capacity: { 'bot-creator': 1 } }]);
      expect(await holdings(h.db, ann)).toEqual(['bot-creator']);
      expect(await holdings(h.db, ben)).toEqual(['bot-creator']);
      const audit = await h.db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'license.capacity.cut' } });
      expect(audit.after).toMatchObject({ requestedCapacity: 1, job: '11111111-1111-1111-1111-111111111111' });
    });

    it('raising capacity grants a waiting user at once', async () => {
      const cat = await seedUser(h.db, 'cat', ['Creators'], { createdAt: new Date('2024-03-01') });
      await h.deps.allocation.decideUser(cat, { actor: 'test', action: 'test' });
      expect(await holdings(h.db, cat)).toEqual([]);
      const r = await h.send('put', '/api/v1/licenses/bot-creator', { name: 'Bot Creator', kind: 'primary', capacity: 3 }).expect(200);
      expect(r.body).toMatchObject({ capacity: 3, used: 3, free: 0 });
      expect(await holdings(h.db, cat)).toEqual(['bot-creator']);
    });
  });
});

describe('licenses without a job service', () => {
  let h2: Harness;
  beforeAll(async () => {
    h2 = await adminHarness();
    await seedLicenses(h2.db, [{ key: 'bot-creator', capacity: 1 }]);
    await seedMapping(h2.db, { idpGroup: 'Creators', licenses: ['bot-creator'] });
    const u = await seedUser(h2.db, 'ann', ['Creators']);
    await h2.deps.allocation.decideUser(u, { actor: 'test', action: 'test' });
  });
  afterAll(async () => h2.close());

  it('refuses a forced cut with 409 and changes nothing', async () => {
    const r = await h2.send('put', '/api/v1/licenses/bot-creator', { name: 'Bot Creator', kind: 'primary', capacity: 0, force: true }).expect(409);
    expect(r.body.error.message).toContain('1 seats of bot-creator are in use');
    expect((await h2.get('/api/v1/licenses/bot-creator')).body).toMatchObject({ capacity: 1, used: 1 });
  });
});
