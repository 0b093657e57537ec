import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdings, seedLicenses, seedMapping, seedUser } from '../../helpers/seed.js';
import { adminHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await adminHarness({ jobs: 'real' });
  await seedLicenses(h.db, [{ key: 'bot-creator', capacity: 3 }, { key: 'process-discovery', kind: 'addon', capacity: 3 }]);
  await seedMapping(h.db, { idpGroup: 'Creators', licenses: ['bot-creator', 'process-discovery'] });
});
afterAll(async () => {
  await h.deps.jobs?.idle();
  await h.close();
});

describe('forced capacity cut with the real redistribution runner', () => {
  it('takes the seats back from the youngest holders, releases their whole bundle, and lowers the capacity', async () => {
    const ids: string[] = [];
    for (const [i, name] of ['ann', 'ben', 'cat'].entries()) {
      const id = await seedUser(h.db, name, ['Creators'], { createdAt: new Date(Date.UTC(2024, i, 1)) });
      await h.deps.allocation.decideUser(id, { actor: 'test', action: 'test' });
      ids.push(id);
    }
    const r = await h.send('put', '/api/v1/licenses/bot-creator', { name: 'Bot Creator', kind: 'primary', capacity: 1, force: true }).expect(202);
    await h.deps.jobs!.idle();
    const job = await h.deps.jobs!.get(r.body.job.id);
    expect(job.status).toBe('succeeded');
    expect((await h.get('/api/v1/licenses/bot-creator')).body).toMatchObject({ capacity: 1, used: 1 });
    expect((await h.get('/api/v1/licenses/process-discovery')).body).toMatchObject({ used: 1 });
    expect(await holdings(h.db, ids[0]!)).toEqual(['bot-creator', 'process-discovery']);
    expect(await holdings(h.db, ids[1]!)).toEqual([]);
    expect(await holdings(h.db, ids[2]!)).toEqual([]);
  });
});
