import { z } from 'zod';
import { createToken, listTokens, revokeToken } from '../../auth/tokens.js';
import { writeAudit } from '../../audit/write.js';
import { withTx } from '../../db/transaction.js';
import { route } from '../route.js';
import { createdTokenView, tokenBody, tokenParams, tokenView } from '../schemas.js';

export const tokenRoutes = [
  route({
    method: 'get',
    path: '/tokens',
    tag: 'tokens',
    summary: 'API tokens (never their secrets)',
    responses: { 200: { description: 'The tokens, by name', schema: z.array(tokenView) } },
    handler: async ({ deps }) => ({ body: await listTokens(deps.db) }),
  }),
  route({
    method: 'post',
    path: '/tokens',
    tag: 'tokens',
    summary: 'Create a token; its secret is in this answer only',
    body: tokenBody,
    responses: { 201: { description: 'The token with its secret', schema: createdTokenView }, 409: { description: 'Name taken' } },
    handler: async ({ deps, body, actor }) => {
      const { token, info } = await createToken(deps.db, body.name, body.scope);
      const { hash: _hash, ...safe } = info as typeof info & { hash?: string };
      await withTx(deps.db, (tx) => writeAudit(tx, { actor, action: 'token.create', subject: info.name, after: { name: info.name, scope: info.scope } }));
      return { status: 201, body: { ...safe, token } };
    },
  }),
  route({
    method: 'delete',
    path: '/tokens/:name',
    tag: 'tokens',
    summary: 'Revoke a token (it stops working at once)',
    params: tokenParams,
    responses: { 200: { description: 'The revoked token', schema: tokenView }, 404: { description: 'Unknown token' } },
    handler: async ({ deps, params, actor }) => {
      const info = await revokeToken(deps.db, params.name, deps.clock.now());
      await withTx(deps.db, (tx) => writeAudit(tx, { actor, action: 'token.revoke', subject: info.name }));
      return { body: info };
    },
  }),
];
