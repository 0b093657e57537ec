/**
 * Every background job, whatever its kind: redistributions and the `scim.members` jobs a large
 * SCIM group change hands off (their id is in that SCIM answer's X-Allot-Job header).
 */
import { z } from 'zod';
import { get, list, toView } from '../../jobs/job.repo.js';
import { jobView } from '../openapi-redistributions.js';
import { jobBody } from './redistributions.js';
import { route } from '../route.js';

const status = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
const listQuery = z.strictObject({
  kind: z.enum(['redistribution', 'scim.members']).default('scim.members'),
  status: status.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().min(1).optional(),
});

export const jobRoutes = [
  route({
    method: 'get',
    path: '/jobs',
    tag: 'jobs',
    summary: 'Background jobs of one kind (default scim.members), newest first',
    query: listQuery,
    responses: { 200: { description: 'A page of jobs', schema: z.object({ items: z.array(jobView), nextCursor: z.string().nullable() }) } },
    handler: async ({ deps, query }) => {
      const page = await list(deps.db, query.kind, { ...(query.status ? { status: query.status } : {}), ...(query.limit ? { limit: query.limit } : {}), ...(query.cursor ? { cursor: query.cursor } : {}) });
      return { body: { items: page.items.map((j) => jobBody(toView(j))), nextCursor: page.nextCursor } };
    },
  }),
  route({
    method: 'get',
    path: '/jobs/:id',
    tag: 'jobs',
    summary: 'One job: status, progress and summary',
    params: z.strictObject({ id: z.uuid() }),
    responses: { 200: { description: 'The job', schema: jobView }, 404: { description: 'Unknown job' } },
    handler: async ({ deps, params }) => ({ body: jobBody(toView(await get(deps.db, params.id))) }),
  }),
];
