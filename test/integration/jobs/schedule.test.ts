/**
 * The schedule (jobs.schedule): a bad cron expression is refused naming the key, and each cron slot
 * yields at most one job however many instances fire it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExclusive } from '../../../src/jobs/job.repo.js';
import { startSchedule } from '../../../src/jobs/scheduler.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.destroy();
});

const logger = createLogger({ level: 'error', format: 'json', silent: true });

describe('schedule', { timeout: 240_000 }, () => {
  it('refuses an invalid cron expression, naming jobs.schedule', () => {
    expect(() => startSchedule('every night', async () => {}, logger)).toThrow(/^jobs\.schedule: /);
  });

  it('computes the next firing of a valid expression', () => {
    const s = startSchedule('0 2 * * *', async () => {}, logger);
    try {
      const next = s.next();
      expect(next).not.toBeNull();
      expect(next!.getMinutes()).toBe(0);
    } finally {
      s.stop();
    }
  });

  it('creates one job per slot: a second instance firing the same slot gets the existing job', async () => {
    const slot = '2026-12-06T02:00:00.000Z';
    const data = { kind: 'redistribution', actor: 'system:schedule', params: { scope: { all: true }, scheduledFor: slot }, scheduledFor: slot };
    const first = await createExclusive(db, data, 60_000, new Date());
    expect('created' in first).toBe(true);
    const id = 'created' in first ? first.created.id : '';
    await db.prisma.job.update({ where: { id }, data: { status: 'succeeded', finishedAt: new Date() } });
    const second = await createExclusive(db, data, 60_000, new Date());
    expect('active' in second && second.active.job.id).toBe(id);
    const slot2 = '2026-12-07T02:00:00.000Z';
    const next = await createExclusive(db, { ...data, params: { ...data.params, scheduledFor: slot2 }, scheduledFor: slot2 }, 60_000, new Date());
    expect('created' in next).toBe(true);
    expect(await db.prisma.job.count()).toBe(2);
  });
});
