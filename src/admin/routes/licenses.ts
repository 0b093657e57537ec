import { z } from 'zod';
import { route } from '../route.js';
import { keyParams, licenseBody, licenseView } from '../schemas.js';
import { deleteLicense, getLicense, listLicenses, putLicense } from '../services/licenses.js';

const forced = z
  .object({
    license: licenseView,
    job: z.object({ id: z.string(), status: z.string() }).loose().meta({ description: 'Follow it at /api/v1/redistributions/{id}' }),
  })
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
      'Capacity below the seats in use is refused with 409 saying how many are used, unless `force` is true: a redistribution starts (202) that takes the surplus seats back from the youngest holders (mapping before manual) and lowers the capacity with them.',
    params: keyParams,
    body: licenseBody,
    responses: {
      200: { description: 'Updated', schema: licenseView },
      201: { description: 'Created', schema: licenseView },
      202: { description: 'Forced capacity cut: the redistribution that applies it', schema: forced },
      409: { description: 'Capacity below seats in use, kind change while seats are in use, or a redistribution already running' },
    },
    handler: async ({ deps, params, body, actor }) => {
      const r = await putLicense(deps, params.key, body, actor);
      if (r.outcome === 'redistributing') return { status: 202, body: { license: r.license, job: r.job } };
      return { status: r.outcome === 'created' ? 201 : 200, body: r.license };
    },
  }),
  route({
    method: 'delete',
    path: '/licenses/:key',
    tag: 'licenses',
    summary: 'Delete an unused license type',
    params: keyParams,
    responses: {
      200: { description: 'The deleted license type', schema: licenseView },
      404: { description: 'Unknown key' },
      409: { description: 'Seats in use, or named by a mapping, the preference order or the policy' },
    },
    handler: async ({ deps, params, actor }) => ({ body: await deleteLicense(deps.db, params.key, actor) }),
  }),
];
