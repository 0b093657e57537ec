import { z } from 'zod';
import { route } from '../route.js';
import { keyParams, licenseBody, licenseView } from '../schemas.js';
import { getLicense, listLicenses, putLicense } from '../services/licenses.js';

const forced = z
  .object({ license: licenseView, reclaimed: z.array(z.object({ userId: z.string(), nameId: z.string() })), job: z.unknown() })
  .meta({ id: 'CapacityCut' });

export const licenseRoutes = [
  route({
    method: 'get',
    path: '/licenses',
    tag: 'licenses',
    summary: 'License types with capacity, seats used and free',
    responses: { 200: { description: 'Every license type, by key', schema: z.array(licenseView) } },
    handler: async ({ deps }) => ({ body: await listLicenses(deps.db) }),
  }),
  route({
    method: 'get',
    path: '/licenses/:key',
    tag: 'licenses',
    summary: 'One license type',
    params: keyParams,
    responses: { 200: { description: 'The license type', schema: licenseView }, 404: { description: 'Unknown key' } },
    handler: async ({ deps, params }) => ({ body: await getLicense(deps.db, params.key) }),
  }),
  route({
    method: 'put',
    path: '/licenses/:key',
    tag: 'licenses',
    summary: 'Create or update a license type (capacity changes included)',
    description:
      'Capacity below the seats in use is refused with 409 saying how many are used, unless `force` is true: the surplus seats are reclaimed from the holders ranked last and a redistribution starts (202).',
    params: keyParams,
    body: licenseBody,
    responses: {
      200: { description: 'Updated', schema: licenseView },
      201: { description: 'Created', schema: licenseView },
      202: { description: 'Forced capacity cut: seats reclaimed, redistribution started', schema: forced },
      409: { description: 'Capacity below seats in use, or kind change while seats are in use' },
    },
    handler: async ({ deps, params, body, actor }) => {
      const r = await putLicense(deps, params.key, body, actor);
      if (r.reclaimed) return { status: r.job ? 202 : 200, body: { license: r.license, reclaimed: r.reclaimed, job: r.job ?? null } };
      return { status: r.created ? 201 : 200, body: r.license };
    },
  }),
];
