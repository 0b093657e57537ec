/**
 * Documents the redistribution routes (src/admin/routes/redistributions.ts, mounted by their own
 * feature) in the admin API's OpenAPI document, with the body schema those routes validate with.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { startRedistributionBody } from './routes/redistributions.js';
import { errorSchema } from './route.js';

export const jobView = z
  .object({
    id: z.uuid(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
    processed: z.int(),
    total: z.int(),
    summary: z.unknown(),
    kind: z.string(),
    actor: z.string(),
    params: z.unknown(),
    error: z.string().nullable(),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Redistribution' });
const id = z.object({ id: z.uuid() });
const errors = {
  401: { description: 'Missing, unknown or revoked bearer token', content: { 'application/json': { schema: errorSchema } } },
  403: { description: 'The token scope does not allow this call', content: { 'application/json': { schema: errorSchema } } },
};

export function registerRedistributions(registry: OpenAPIRegistry): void {
  const base = { tags: ['redistributions'], security: [{ bearer: [] }] };
  registry.registerPath({
    ...base,
    method: 'post',
    path: '/api/v1/redistributions',
    summary: 'Start a redistribution (all users, one role, one mapping or one user); dryRun returns the diff without writing',
    request: { body: { required: true, content: { 'application/json': { schema: startRedistributionBody.meta({ id: 'RedistributionInput' }) } } } },
    responses: {
      202: { description: 'Started', content: { 'application/json': { schema: z.object({ id: z.uuid(), status: z.string() }) } } },
      409: { description: 'A redistribution is already running', content: { 'application/json': { schema: errorSchema } } },
      ...errors,
    },
  });
  registry.registerPath({
    ...base,
    method: 'get',
    path: '/api/v1/redistributions',
    summary: 'Redistributions, newest first',
    responses: { 200: { description: 'A page of jobs', content: { 'application/json': { schema: z.object({ items: z.array(jobView), nextCursor: z.string().nullable() }) } } }, ...errors },
  });
  registry.registerPath({
    ...base,
    method: 'get',
    path: '/api/v1/redistributions/{id}',
    summary: 'Status and progress of a redistribution',
    request: { params: id },
    responses: { 200: { description: 'The job', content: { 'application/json': { schema: jobView } } }, 404: { description: 'Unknown id' }, ...errors },
  });
  registry.registerPath({
    ...base,
    method: 'post',
    path: '/api/v1/redistributions/{id}/cancel',
    summary: 'Cancel a redistribution between batches',
    request: { params: id },
    responses: { 200: { description: 'The job', content: { 'application/json': { schema: jobView } } }, 404: { description: 'Unknown id' }, ...errors },
  });
}
