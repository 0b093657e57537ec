import { z } from 'zod';
import { route } from '../route.js';
import {
  confirmQuery,
  idParams,
  importReport,
  mappingCreateBody,
  mappingExport,
  mappingImportBody,
  mappingPatchBody,
  mappingView,
  previewBody,
  previewView,
} from '../schemas.js';
import { createMapping, deleteMapping, getMapping, listMappings, updateMapping } from '../services/mappings.js';
import { exportMappings, importMappings } from '../services/mapping-import.js';
import { previewChange } from '../services/preview.js';

const written = mappingView.extend({ affectedUsers: z.int() });
const lockout = { description: 'ADMIN_LOCKOUT: no active user would keep an admin role (send confirm: true)' };

export const mappingRoutes = [
  route({
    method: 'get',
    path: '/mappings',
    tag: 'mappings',
    summary: 'Every group mapping, by idpGroup',
    responses: { 200: { description: 'The mappings', schema: z.array(mappingView) } },
    handler: async ({ deps }) => ({ body: await listMappings(deps.db) }),
  }),
  route({
    method: 'post',
    path: '/mappings',
    tag: 'mappings',
    summary: 'Create a group mapping (nobody is re-decided until a redistribution)',
    body: mappingCreateBody,
    responses: { 201: { description: 'Created, with its id', schema: written }, 409: { description: 'idpGroup already mapped, or ADMIN_LOCKOUT' } },
    handler: async ({ deps, body, actor }) => {
      const { confirm, ...input } = body;
      return { status: 201, body: await createMapping(deps.db, input, confirm, actor) };
    },
  }),
  route({
    method: 'get',
    path: '/mappings/export',
    tag: 'mappings',
    summary: 'Export every mapping as an importable JSON document',
    responses: { 200: { description: 'The export', schema: mappingExport } },
    handler: async ({ deps }) => ({ body: await exportMappings(deps.db, deps.clock.now()) }),
  }),
  route({
    method: 'post',
    path: '/mappings/import',
    tag: 'mappings',
    summary: 'Import a mapping set: validated as a whole, then written in one transaction',
    description: 'A set with problems is refused with 400 and the full report in `details`; `dryRun` returns the report without writing.',
    body: mappingImportBody,
    responses: { 200: { description: 'The report', schema: importReport }, 409: lockout },
    handler: async ({ deps, body, actor }) => ({ body: await importMappings(deps.db, body, actor) }),
  }),
  route({
    method: 'post',
    path: '/mappings/preview',
    tag: 'mappings',
    summary: 'Preview a mapping set, a single change and/or capacity, order or policy changes, without writing',
    body: previewBody,
    responses: { 200: { description: 'Per-user before/after, seat totals, users left without a license', schema: previewView } },
    handler: async ({ deps, body }) => ({ body: await previewChange(deps.db, body) }),
  }),
  route({
    method: 'get',
    path: '/mappings/:id',
    tag: 'mappings',
    summary: 'One group mapping',
    params: idParams,
    responses: { 200: { description: 'The mapping', schema: mappingView }, 404: { description: 'Unknown id' } },
    handler: async ({ deps, params }) => ({ body: await getMapping(deps.db, params.id) }),
  }),
  route({
    method: 'patch',
    path: '/mappings/:id',
    tag: 'mappings',
    summary: 'Change some fields of a mapping',
    params: idParams,
    body: mappingPatchBody,
    responses: { 200: { description: 'The mapping', schema: written }, 404: { description: 'Unknown id' }, 409: lockout },
    handler: async ({ deps, params, body, actor }) => {
      const { confirm, ...patch } = body;
      return { body: await updateMapping(deps.db, params.id, patch, confirm, actor) };
    },
  }),
  route({
    method: 'delete',
    path: '/mappings/:id',
    tag: 'mappings',
    summary: 'Delete a mapping',
    params: idParams,
    query: confirmQuery,
    responses: {
      200: { description: 'Deleted', schema: z.object({ id: z.string(), affectedUsers: z.int() }) },
      404: { description: 'Unknown id' },
      409: lockout,
    },
    handler: async ({ deps, params, query, actor }) => ({ body: await deleteMapping(deps.db, params.id, query.confirm === 'true', actor) }),
  }),
];
