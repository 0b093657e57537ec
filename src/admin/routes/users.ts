import { z } from 'zod';
import type { UserDecision } from '../../allocation/decide-user.js';
import type { Db } from '../../db/client.js';
import { route } from '../route.js';
import { assignBody, deactivateBody, explainView, idParams, userLicenseParams, userPage, usersQuery, userView } from '../schemas.js';
import { setActive } from '../services/activation.js';
import { assignLicense } from '../services/manual.js';
import { getUser, listUsers } from '../services/users.js';

const decided = userView.extend({ reason: z.string().meta({ description: 'Reason code of the decision that followed' }) }).meta({ id: 'UserDecided' });

/** The user as the list shows them, plus the reason of the decision the change triggered. */
async function decidedView(db: Db, d: UserDecision) {
  return { ...(await getUser(db, d.user.id)), reason: d.decision.reason };
}

export const userRoutes = [
  route({
    method: 'get',
    path: '/users',
    tag: 'users',
    summary: 'Users by nameId, filtered, with cursor pagination',
    query: usersQuery,
    responses: { 200: { description: 'A page of users', schema: userPage } },
    handler: async ({ deps, query }) => ({ body: await listUsers(deps.db, query) }),
  }),
  route({
    method: 'get',
    path: '/users/:id',
    tag: 'users',
    summary: 'One user, by id or nameId',
    params: idParams,
    responses: { 200: { description: 'The user', schema: userView }, 404: { description: 'Unknown user' } },
    handler: async ({ deps, params }) => ({ body: await getUser(deps.db, params.id) }),
  }),
  route({
    method: 'get',
    path: '/users/:id/explain',
    tag: 'users',
    summary: 'The decision recomputed from current data, and the last one applied',
    params: idParams,
    responses: { 200: { description: 'The explanation', schema: explainView }, 404: { description: 'Unknown user' } },
    handler: async ({ deps, params }) => {
      const e = await deps.allocation.explain(params.id);
      return { body: { reason: e.current.reason, trace: e.current.trace, roles: e.current.roles, target: e.current.target, last: e.last } };
    },
  }),
  route({
    method: 'post',
    path: '/users/:id/licenses',
    tag: 'users',
    summary: 'Assign a license by hand (origin manual; never over-allocates)',
    params: idParams,
    body: assignBody,
    responses: {
      200: { description: 'The user afterwards', schema: decided },
      404: { description: 'Unknown user or license' },
      409: { description: 'No free seat, another manual primary is held, or the user is deactivated' },
    },
    handler: async ({ deps, params, body, actor }) => ({ body: await decidedView(deps.db, await assignLicense(deps, params.id, body.key, actor)) }),
  }),
  route({
    method: 'delete',
    path: '/users/:id/licenses/:key',
    tag: 'users',
    summary: 'Revoke a license (the user is re-decided: a mapping may grant it again)',
    params: userLicenseParams,
    responses: { 200: { description: 'The user afterwards', schema: decided }, 404: { description: 'Unknown user, or license not held' } },
    handler: async ({ deps, params, actor }) => ({ body: await decidedView(deps.db, await deps.allocation.revoke(params.id, params.key, actor)) }),
  }),
  route({
    method: 'post',
    path: '/users/:id/deactivate',
    tag: 'users',
    summary: 'Deactivate a user: every seat is released',
    params: idParams,
    body: deactivateBody,
    responses: { 200: { description: 'The user afterwards', schema: decided }, 404: { description: 'Unknown user' }, 409: { description: 'ADMIN_LOCKOUT' } },
    handler: async ({ deps, params, body, actor }) => ({ body: await decidedView(deps.db, await setActive(deps, params.id, false, body?.confirm, actor)) }),
  }),
  route({
    method: 'post',
    path: '/users/:id/reactivate',
    tag: 'users',
    summary: 'Reactivate a user and decide their licenses again',
    params: idParams,
    responses: { 200: { description: 'The user afterwards', schema: decided }, 404: { description: 'Unknown user' } },
    handler: async ({ deps, params, actor }) => ({ body: await decidedView(deps.db, await setActive(deps, params.id, true, undefined, actor)) }),
  }),
];
