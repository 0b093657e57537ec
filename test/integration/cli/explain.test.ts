import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/client.js';
import { createAllocationService } from '../../../src/allocation/service.js';
import { createMetrics } from '../../../src/http/metrics.js';
import { createLogger } from '../../../src/shared/logger.js';
import { systemClock } from '../../../src/shared/clock.js';
import { seedLicenses, seedMapping, seedUser, specLicenses } from '../../helpers/seed.js';
import { runCli } from '../../helpers/cli.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'allot-explain-'));
  const db = await createDb({ dataDir: dir });
  try {
    await seedLicenses(db, specLicenses(5, { 'bot-insight': 0 }));
    await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer', 'process-discovery'] });
    await seedMapping(db, { idpGroup: 'Dev2', licenses: ['attended-bot-runner', 'bot-insight'] });
    const fiona = await seedUser(db, 'fiona@example.com', ['Dev1', 'Dev2']);
    const service = createAllocationService({
      db,
      logger: createLogger({ level: 'error', format: 'json', silent: true }),
      metrics: createMetrics({ defaultMetrics: false }),
      clock: systemClock,
    });
    await service.decideUser(fiona, { actor: 'test:cli', action: 'test' });
  } finally {
    await db.close();
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('allot explain', () => {
  it('prints the trace readably: mappings, candidates, bundle members with seats, outcome', async () => {
    const r = await runCli(['explain', 'fiona@example.com'], { ALLOT_DATA_DIR: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('User fiona@example.com');
    expect(r.stdout).toContain('Reason: BUNDLE_UNAVAILABLE');
    expect(r.stdout).toMatch(/group "Dev1"/);
    expect(r.stdout).toMatch(/bot-insight/);
    expect(r.stdout).toContain('Last applied decision');
  });

  it('--json prints the current and last decisions', async () => {
    const r = await runCli(['explain', 'fiona@example.com', '--json'], { ALLOT_DATA_DIR: dir });
    const body = JSON.parse(r.stdout) as { current: { reason: string; trace: { outcome: { missing: string[] } } }; last: { reason: string } };
    expect(body.current.reason).toBe('BUNDLE_UNAVAILABLE');
    expect(body.current.trace.outcome.missing).toEqual(['bot-insight']);
    expect(body.last.reason).toBe('BUNDLE_UNAVAILABLE');
  });

  it('an unknown user exits 1 with one line', async () => {
    const r = await runCli(['explain', 'nobody@example.com'], { ALLOT_DATA_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('allot: user not found: nobody@example.com');
  });
});
