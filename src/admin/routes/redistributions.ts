/**
 * Redistributions over the admin API (SPEC §6): start (202 with the job id), list, status, cancel.
 * Parsing here, everything else in the job service.
 */
import express from 'express';
import { z } from 'zod';
import { adminAuth } from '../auth.js';
import type { Feature } from '../../http/app.js';
import { AppError } from '../../shared/errors.js';
import { currentContext } from '../../shared/request-context.js';
import type { JobService, JobView } from '../../jobs/types.js';

const name = z.string().trim().min(1).max(512);

export const startRedistributionBody = z.strictObject({
  scope: z.union([
    z.strictObject({ all: z.literal(true) }),
    z.strictObject({ role: name }),
    z.strictObject({ mapping: name }),
    z.strictObject({ user: name }),
  ]),
  redistributeManual: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  batchSize: z.int().min(1).max(100_000).optional(),
  capacity: z.record(z.string().min(1), z.int().min(0)).optional(),
});

const listQuery = z.strictObject({
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().min(1).optional(),
});

/** The job as the API shows it: SPEC §6 `{id, status, processed, total, summary}` and more. */
export function jobBody(job: JobView) {
  return {
    id: job.id,
    status: job.status,
    processed: job.processed,
    total: job.total,
    summary: job.summary,
    kind: job.kind,
    actor: job.actor,
    params: job.params,
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

export const redistributionsFeature: Feature = (app, deps) => {
  const router = express.Router();
  router.use(adminAuth(deps));
  router.use(express.json({ limit: '64kb' }));
  const jobs = (): JobService => {
    if (!deps.jobs) throw new AppError('INTERNAL', 'redistribution jobs are not available in this process');
    return deps.jobs;
  };
  const actor = (): string => currentContext()?.actor ?? 'admin:unknown';

  router.post('/', async (req, res) => {
    const body = startRedistributionBody.parse(req.body ?? {});
    const { batchSize, capacity, ...rest } = body;
    const job = await jobs().startRedistribution({ ...rest, ...(batchSize ? { batchSize } : {}), ...(capacity ? { capacity } : {}) }, actor());
    res.status(202).location(`/api/v1/redistributions/${job.id}`).json({ id: job.id, status: job.status });
  });
  router.get('/', async (req, res) => {
    const q = listQuery.parse(req.query);
    const page = await jobs().list(q);
    res.json({ items: page.items.map(jobBody), nextCursor: page.nextCursor });
  });
  router.get('/:id', async (req, res) => {
    res.json(jobBody(await jobs().get(req.params.id)));
  });
  router.post('/:id/cancel', async (req, res) => {
    res.json(jobBody(await jobs().cancel(req.params.id, actor())));
  });
  app.use('/api/v1/redistributions', router);
};
