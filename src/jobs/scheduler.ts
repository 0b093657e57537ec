/**
 * The optional schedule (config jobs.schedule, a cron expression such as "0 2 * * *"): every
 * instance runs the timer, and each firing asks for a full redistribution tagged with its slot.
 * The job table accepts one job per slot and one active redistribution at a time, so however
 * many instances fire, one runs it.
 */
import { Cron } from 'croner';
import type { Logger } from '../shared/logger.js';
import { ValidationError } from '../shared/errors.js';

export interface Schedule {
  stop(): void;
  /** The next firing, for logs and tests. */
  next(): Date | null;
}

/** Throws a ValidationError naming jobs.schedule when the expression does not parse. */
export function startSchedule(expression: string, fire: (slot: Date) => Promise<void>, logger: Logger): Schedule {
  let cron: Cron;
  try {
    cron = new Cron(expression, { protect: true, catch: (e) => logger.error('scheduled redistribution failed', { error: (e as Error).message }) }, async (self) => {
      const slot = self.currentRun() ?? new Date();
      await fire(new Date(Math.floor(slot.getTime() / 60_000) * 60_000));
    });
  } catch (e) {
    throw new ValidationError(`jobs.schedule: ${(e as Error).message}`, { schedule: expression });
  }
  logger.info('redistribution scheduled', { schedule: expression, next: cron.nextRun()?.toISOString() });
  return { stop: () => cron.stop(), next: () => cron.nextRun() };
}
