import { z } from 'zod';
import { route } from '../route.js';
import { policyBody, policyView, preferenceOrderBody } from '../schemas.js';
import { getSettings, putPolicy, putPreferenceOrder } from '../services/settings.js';

const affected = { affectedUsers: z.int().meta({ description: 'Users whose roles or licenses a redistribution would change' }) };

export const settingsRoutes = [
  route({
    method: 'get',
    path: '/preference-order',
    tag: 'settings',
    summary: 'Primary licenses, highest preference first',
    responses: { 200: { description: 'The order', schema: preferenceOrderBody } },
    handler: async ({ deps }) => ({ body: { order: (await getSettings(deps.db)).preferenceOrder } }),
  }),
  route({
    method: 'put',
    path: '/preference-order',
    tag: 'settings',
    summary: 'Replace the preference order (existing primary licenses only)',
    body: preferenceOrderBody,
    responses: { 200: { description: 'The new order', schema: preferenceOrderBody.extend(affected) } },
    handler: async ({ deps, body, actor }) => ({ body: await putPreferenceOrder(deps.db, body.order, actor) }),
  }),
  route({
    method: 'get',
    path: '/policy',
    tag: 'settings',
    summary: 'The allocation policy',
    responses: { 200: { description: 'The policy', schema: policyView } },
    handler: async ({ deps }) => ({ body: (await getSettings(deps.db)).policy }),
  }),
  route({
    method: 'put',
    path: '/policy',
    tag: 'settings',
    summary: 'Replace the policy (omitted keys take their defaults)',
    body: policyBody,
    responses: {
      200: { description: 'The new policy', schema: policyView.extend(affected) },
      409: { description: 'ADMIN_LOCKOUT: no active user would keep an admin role (send confirm: true)' },
    },
    handler: async ({ deps, body, actor }) => {
      const { confirm, ...policy } = body;
      const r = await putPolicy(deps.db, policy, confirm, actor);
      return { body: { ...r.policy, affectedUsers: r.affectedUsers } };
    },
  }),
];
